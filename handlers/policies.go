package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
	"lianzhu/store"
)

// PolicyStore keeps the policy catalogue and its dated parameters.
type PolicyStore interface {
	SeedPolicies(ctx context.Context, policies []domain.Policy, params domain.ParamSet) (int, int, error)
	Policies(ctx context.Context) ([]store.StoredPolicy, error)
	PolicyParams(ctx context.Context) ([]store.StoredParameter, error)
	CreatePolicy(ctx context.Context, p *store.StoredPolicy, by string) error
	UpdatePolicy(ctx context.Context, p *store.StoredPolicy, expectedVersion int64, by string) error
	CreatePolicyParam(ctx context.Context, p *store.StoredParameter, by string) error
	UpdatePolicyParam(ctx context.Context, p *store.StoredParameter, expectedVersion int64, by string) error
}

// policyCacheTTL bounds how long a replica serves a policy set it read: an
// edit through this process is seen at once, one through another replica
// within this time.
const policyCacheTTL = 10 * time.Second

// PolicyBook is the current policy catalogue for matching runs and
// evaluations. Backed by a store it is seeded from the given catalogue the
// first time it is read (policies and parameters that are missing are
// added, edits are kept) and then read from the store; without a store it
// serves the given catalogue and refuses edits.
type PolicyBook struct {
	store      PolicyStore
	seedPols   []domain.Policy
	seedParams domain.ParamSet
	now        func() time.Time

	mu     sync.Mutex
	seeded bool
	cached *policySet
	at     time.Time
}

// policySet is one read of the catalogue.
type policySet struct {
	stored   []store.StoredPolicy
	params   []store.StoredParameter
	policies []domain.Policy
	set      domain.ParamSet
}

// NewPolicyBook returns a book over s (nil: the given catalogue, read-only).
func NewPolicyBook(s PolicyStore, policies []domain.Policy, params domain.ParamSet, now func() time.Time) *PolicyBook {
	if now == nil {
		now = time.Now
	}
	return &PolicyBook{store: s, seedPols: policies, seedParams: params, now: now}
}

// Current returns the policies in catalogue order and their parameters.
func (b *PolicyBook) Current(ctx context.Context) ([]domain.Policy, domain.ParamSet, error) {
	s, err := b.load(ctx)
	if err != nil {
		return nil, domain.ParamSet{}, err
	}
	return s.policies, s.set, nil
}

func (b *PolicyBook) load(ctx context.Context) (*policySet, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil {
		return &policySet{policies: b.seedPols, set: b.seedParams}, nil
	}
	if b.cached != nil && b.now().Sub(b.at) < policyCacheTTL {
		return b.cached, nil
	}
	if !b.seeded {
		if _, _, err := b.store.SeedPolicies(ctx, b.seedPols, b.seedParams); err != nil {
			return nil, err
		}
		b.seeded = true
	}
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return nil, err
	}
	params, err := b.store.PolicyParams(ctx)
	if err != nil {
		return nil, err
	}
	plain := make([]domain.Parameter, len(params))
	for i, p := range params {
		plain[i] = p.Parameter
	}
	set, err := domain.NewParamSet(plain...)
	if err != nil {
		return nil, err
	}
	s := &policySet{stored: stored, params: params, set: set, policies: make([]domain.Policy, len(stored))}
	for i, p := range stored {
		s.policies[i] = p.Policy
	}
	b.cached, b.at = s, b.now()
	return s, nil
}

// forget drops the cache after an edit.
func (b *PolicyBook) forget() {
	b.mu.Lock()
	b.cached = nil
	b.mu.Unlock()
}

// editable returns the store, or EUNAVAILABLE for a read-only book.
func (b *PolicyBook) editable() (PolicyStore, error) {
	if b.store == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "政策目录为只读 / the policy catalogue is read-only here")
	}
	return b.store, nil
}

// PolicyResponse is a policy with its edit stamp.
type PolicyResponse struct {
	domain.Policy
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// ParameterResponse is a parameter with the value in force now.
type ParameterResponse struct {
	domain.Parameter
	Current   *domain.ParamValue `json:"current"`
	Version   int64              `json:"version"`
	UpdatedAt time.Time          `json:"updated_at,omitzero"`
	UpdatedBy string             `json:"updated_by,omitempty"`
}

type policyHandlers struct {
	book *PolicyBook
	now  func() time.Time
}

// policyRequest is a policy as an admin writes it; version is the one read
// (PUT only).
type policyRequest struct {
	domain.Policy
	Version int64 `json:"version"`
	// UpdatedAt and UpdatedBy may be sent back as read; they are ignored.
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy *string    `json:"updated_by"`
}

// paramValueRequest adds a dated value to a parameter, or creates the
// parameter with it when labels are given and it does not exist.
type paramValueRequest struct {
	Name    string     `json:"name"`
	From    time.Time  `json:"from"`
	Value   domain.Fen `json:"value"`
	LabelZh string     `json:"label_zh"`
	LabelEn string     `json:"label_en"`
}

func policyResponse(p store.StoredPolicy) PolicyResponse {
	return PolicyResponse{Policy: p.Policy, Version: p.Version, UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy}
}

// readers of the catalogue: admins edit it, coordinators read it.
var policyReaders = []domain.Role{domain.RoleAdmin, domain.RoleCoordinator}

func (h *policyHandlers) list(c *fiber.Ctx) error {
	if _, err := authorize(c, "", policyReaders...); err != nil {
		return err
	}
	s, err := h.book.load(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]PolicyResponse, len(s.policies))
	for i, p := range s.policies {
		items[i] = PolicyResponse{Policy: p}
		if s.stored != nil {
			items[i] = policyResponse(s.stored[i])
		}
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

func (h *policyHandlers) get(c *fiber.Ctx) error {
	if _, err := authorize(c, "", policyReaders...); err != nil {
		return err
	}
	s, err := h.book.load(c.UserContext())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(s.policies, func(p domain.Policy) bool { return p.ID == c.Params("id") })
	if i < 0 {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	if s.stored == nil {
		return c.JSON(PolicyResponse{Policy: s.policies[i]})
	}
	return c.JSON(policyResponse(s.stored[i]))
}

// editing decodes an admin's edit into in and returns the caller, the
// store and the catalogue as it stands.
func (h *policyHandlers) editing(c *fiber.Ctx, in any) (domain.Principal, PolicyStore, *policySet, error) {
	if err := decodeJSON(c, in); err != nil {
		return domain.Principal{}, nil, nil, err
	}
	p, err := authorize(c, "", domain.RoleAdmin)
	if err != nil {
		return p, nil, nil, err
	}
	st, err := h.book.editable()
	if err != nil {
		return p, nil, nil, err
	}
	s, err := h.book.load(c.UserContext())
	return p, st, s, err
}

// create adds a policy (admins), validated with the whole catalogue.
func (h *policyHandlers) create(c *fiber.Ctx) error {
	var in policyRequest
	p, st, s, err := h.editing(c, &in)
	if err != nil {
		return err
	}
	if err := validatePolicyIn(append(slices.Clone(s.policies), in.Policy), len(s.policies), s.set); err != nil {
		return err
	}
	sp := store.StoredPolicy{Policy: in.Policy}
	if err := st.CreatePolicy(c.UserContext(), &sp, p.Username); err != nil {
		return err
	}
	h.book.forget()
	return c.Status(fiber.StatusCreated).JSON(policyResponse(sp))
}

// update replaces a policy at the version the admin read.
func (h *policyHandlers) update(c *fiber.Ctx) error {
	var in policyRequest
	p, st, s, err := h.editing(c, &in)
	if err != nil {
		return err
	}
	id := c.Params("id")
	if in.ID != "" && in.ID != id {
		return domain.Invalid("id", "immutable", "政策编号不能修改 / the policy id cannot change")
	}
	in.ID = id
	if in.Version < 1 {
		return domain.Invalid("version", "required", "请提供读取时的版本号 / send the version you read")
	}
	i := slices.IndexFunc(s.policies, func(x domain.Policy) bool { return x.ID == id })
	if i < 0 {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	all := slices.Clone(s.policies)
	all[i] = in.Policy
	if err := validatePolicyIn(all, i, s.set); err != nil {
		return err
	}
	sp := store.StoredPolicy{Policy: in.Policy, Order: s.stored[i].Order}
	if err := st.UpdatePolicy(c.UserContext(), &sp, in.Version, p.Username); err != nil {
		return err
	}
	h.book.forget()
	return c.JSON(policyResponse(sp))
}

// validatePolicyIn validates the catalogue all with domain.ValidatePolicies
// and reports the problems of policy i under its own field names
// ("criteria[0].factor", not "policies[12].criteria[0].factor").
func validatePolicyIn(all []domain.Policy, i int, params domain.ParamSet) error {
	return fieldsUnder(domain.ValidatePolicies(all, params), "policies["+strconv.Itoa(i)+"].")
}

// fieldsUnder returns err with prefix removed from its field names: a
// whole-collection validation reported for the one element a request wrote.
func fieldsUnder(err error, prefix string) error {
	var de *domain.Error
	if err == nil || !errors.As(err, &de) {
		return err
	}
	out := &domain.Error{Code: de.Code, Message: de.Message}
	for _, f := range de.Fields {
		f.Field = strings.TrimPrefix(f.Field, prefix)
		out.Fields = append(out.Fields, f)
	}
	return out
}

func (h *policyHandlers) listParams(c *fiber.Ctx) error {
	if _, err := authorize(c, "", policyReaders...); err != nil {
		return err
	}
	s, err := h.book.load(c.UserContext())
	if err != nil {
		return err
	}
	now := h.now()
	var items []ParameterResponse
	if s.params == nil {
		for _, p := range s.set.Parameters() {
			items = append(items, parameterResponse(store.StoredParameter{Parameter: p}, now))
		}
	}
	for _, p := range s.params {
		items = append(items, parameterResponse(p, now))
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": ""})
}

func parameterResponse(p store.StoredParameter, now time.Time) ParameterResponse {
	out := ParameterResponse{Parameter: p.Parameter, Version: p.Version, UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy}
	if v, ok := p.ValueAt(now); ok {
		out.Current = &v
	}
	return out
}

// addParamValue records a new dated value of a parameter (a new 低保
// standard from a date): the date must be new and the value positive.
// With label_zh and label_en, a parameter that does not exist is created.
func (h *policyHandlers) addParamValue(c *fiber.Ctx) error {
	var in paramValueRequest
	p, st, s, err := h.editing(c, &in)
	if err != nil {
		return err
	}
	var pr domain.Problems
	if in.From.IsZero() {
		pr.Add("from", "required", "请填写生效日期 / from is required")
	}
	if in.Value <= 0 {
		pr.Add("value", "range", "参数值须大于0 / the value must be positive")
	}
	i := slices.IndexFunc(s.params, func(x store.StoredParameter) bool { return x.Name == in.Name })
	creating := i < 0 && (in.LabelZh != "" || in.LabelEn != "")
	switch {
	case i < 0 && !creating:
		pr.Add("name", "exists", "参数不存在 / no such parameter")
	case i >= 0 && slices.ContainsFunc(s.params[i].Values, func(v domain.ParamValue) bool { return v.From.Equal(in.From) }):
		pr.Add("from", "unique", "该日期已有取值 / a value from this date exists")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	value := domain.ParamValue{From: in.From.UTC(), Value: in.Value}
	if creating {
		np := store.StoredParameter{Parameter: domain.Parameter{Name: in.Name, LabelZh: in.LabelZh, LabelEn: in.LabelEn,
			Values: []domain.ParamValue{value}}}
		if err := np.Validate(); err != nil {
			return err
		}
		if err := st.CreatePolicyParam(c.UserContext(), &np, p.Username); err != nil {
			return err
		}
		h.book.forget()
		return c.Status(fiber.StatusCreated).JSON(parameterResponse(np, h.now()))
	}
	next := s.params[i]
	next.Values = append(slices.Clone(next.Values), value)
	slices.SortFunc(next.Values, func(a, b domain.ParamValue) int { return a.From.Compare(b.From) })
	if err := next.Validate(); err != nil {
		return err
	}
	if err := st.UpdatePolicyParam(c.UserContext(), &next, next.Version, p.Username); err != nil {
		return err
	}
	h.book.forget()
	return c.Status(fiber.StatusCreated).JSON(parameterResponse(next, h.now()))
}

// withPolicies returns a copy of the runner with the policy catalogue in
// force: a run uses one catalogue from start to end.
func (r *runner) withPolicies(ctx context.Context) (*runner, error) {
	policies, params, err := r.book.Current(ctx)
	if err != nil {
		return r, err
	}
	cp := *r
	cp.policies, cp.params = policies, params
	return &cp, nil
}

// withPolicies returns a copy of the handlers with the policy catalogue in
// force, for one request.
func (h *evaluationHandlers) withPolicies(ctx context.Context) (*evaluationHandlers, error) {
	policies, params, err := h.book.Current(ctx)
	if err != nil {
		return h, err
	}
	cp := *h
	cp.policies, cp.params = policies, params
	return &cp, nil
}
