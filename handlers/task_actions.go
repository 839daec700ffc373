package handlers

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// The moves of a task. Each is ONE guarded update through
// TaskStore.UpdateTask (the domain method decides, the store makes sure the
// task did not change in between: a lost race is 409), then a sync of the
// need and the household log.

// codeTTL is how long a one-time code stays valid once issued.
const codeTTL = 7 * 24 * time.Hour

// answer syncs a changed task and answers it as the caller now sees it.
func (h *taskHandlers) answer(c *fiber.Ctx, p domain.Principal, t domain.Task) error {
	h.sync(c.UserContext(), t.ID)
	var hh *domain.Household
	if p.Role == domain.RoleVolunteer {
		got, err := h.store.Household(c.UserContext(), t.HouseholdID)
		if err != nil {
			return err
		}
		hh = &got
	}
	return c.JSON(h.view(viewer(p, t, hh), t))
}

// volunteerMove applies a volunteer's move to the task of the route and
// answers the task.
func (h *taskHandlers) volunteerMove(c *fiber.Ctx, move func(t *domain.Task, volunteerID string, now time.Time) error) error {
	p, t, err := h.moveAsVolunteer(c, move)
	if err != nil {
		return err
	}
	return h.answer(c, p, t)
}

// moveAsVolunteer applies a volunteer's move to the task of the route.
func (h *taskHandlers) moveAsVolunteer(c *fiber.Ctx, move func(t *domain.Task, volunteerID string, now time.Time) error) (domain.Principal, domain.Task, error) {
	p, vid, err := authorizeVolunteer(c)
	if err != nil {
		return p, domain.Task{}, err
	}
	t, err := h.store.UpdateTask(c.UserContext(), c.Params("id"), func(t *domain.Task) error { return move(t, vid, h.now()) })
	return p, t, err
}

// claim gives an open task to the calling volunteer: 200 for the one winner,
// 409 for every other claim (the winner's repeat too). Unverified volunteers
// get 403 and are told to wait for a coordinator; a task whose resident
// withdrew consent (or asked not to be contacted) cannot be claimed (409).
//
// Claims on one task queue in this process (h.claims) and read the task
// first, so a burst of a hundred costs the losers one read each, not three
// reads and a failed write on FerretDB's single writer connection; between
// replicas the store's guarded update decides, as it does here.
func (h *taskHandlers) claim(c *fiber.Ctx) error {
	p, vid, err := authorizeVolunteer(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), c.Params("id")
	unlock := h.claims.lock(id)
	t, err := h.store.UpdateTask(ctx, id, func(t *domain.Task) error {
		if t.State != domain.TaskOpen {
			return domain.Errorf(domain.ECONFLICT, "任务当前为 %s，已不能认领 / the task is no longer open", t.State)
		}
		vol, err := h.store.Provider(ctx, vid)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Errorf(domain.EFORBIDDEN, "未找到您的志愿者档案 / your volunteer record is missing")
		}
		if err != nil {
			return err
		}
		hh, err := h.store.Household(ctx, t.HouseholdID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if err != nil || domain.VolunteerConsent(&hh, t.MemberID) != nil {
			return domain.Errorf(domain.ECONFLICT, "该任务已不可认领 / this task can no longer be claimed")
		}
		return t.Claim(vol, h.rules, h.now())
	})
	unlock()
	if err != nil {
		return err
	}
	return h.answer(c, p, t)
}

// keyedLock queues callers per key.
type keyedLock struct {
	mu    sync.Mutex
	locks map[string]*keyedEntry
}

type keyedEntry struct {
	sync.Mutex
	waiters int
}

// lock waits for key and returns its unlock.
func (k *keyedLock) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedEntry{}
	}
	e := k.locks[key]
	if e == nil {
		e = &keyedEntry{}
		k.locks[key] = e
	}
	e.waiters++
	k.mu.Unlock()
	e.Lock()
	return func() {
		e.Unlock()
		k.mu.Lock()
		if e.waiters--; e.waiters == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

func (h *taskHandlers) release(c *fiber.Ctx) error {
	return h.volunteerMove(c, func(t *domain.Task, vid string, now time.Time) error { return t.Release(vid, now) })
}

func (h *taskHandlers) checkIn(c *fiber.Ctx) error {
	return h.volunteerMove(c, func(t *domain.Task, vid string, now time.Time) error { return t.CheckIn(vid, h.rules, now) })
}

func (h *taskHandlers) checkOut(c *fiber.Ctx) error {
	return h.volunteerMove(c, func(t *domain.Task, vid string, now time.Time) error { return t.CheckOut(vid, h.rules, now) })
}

type ratingRequest struct {
	Stars   int    `json:"stars"`
	Comment string `json:"comment"`
}

// rating turns a request's rating into the domain's, recorded now by by.
func (r *ratingRequest) rating(by string, now time.Time) (*domain.Rating, error) {
	if r == nil {
		return nil, nil
	}
	out := &domain.Rating{Stars: r.Stars, Comment: r.Comment, At: now, RecordedBy: by}
	var pr domain.Problems
	pr.Merge("rating", out.Validate(now))
	return out, pr.Err()
}

type completeRequest struct {
	Code   string         `json:"code"`
	Rating *ratingRequest `json:"rating"`
}

// complete proves a checked-out visit with the one-time code the resident
// gave the volunteer, with the resident's rating. A wrong code is 400 and
// counts an attempt (five lock it); a used, expired or locked code is 409;
// the task is unchanged either way.
func (h *taskHandlers) complete(c *fiber.Ctx) error {
	var req completeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var codeErr error
	p, t, err := h.moveAsVolunteer(c, func(t *domain.Task, vid string, now time.Time) error {
		if t.VolunteerID != vid {
			return domain.Errorf(domain.EFORBIDDEN, "这不是您认领的任务 / this is not your task")
		}
		if t.State != domain.TaskDone {
			return domain.Errorf(domain.ECONFLICT, "任务当前为 %s，须先签退再完成 / check out before completing", t.State)
		}
		by := principal(c).Username
		rating, err := req.Rating.rating(by, now)
		if err != nil {
			return err
		}
		if err := h.requireKey(); err != nil {
			return err
		}
		attempts := 0
		if t.Code != nil {
			attempts = t.Code.Attempts
		}
		if codeErr = t.Code.Redeem(h.proofKey, t.ID, req.Code, now); codeErr != nil {
			if t.Code != nil && t.Code.Attempts != attempts {
				return nil // save the counted attempt, change nothing else
			}
			return codeErr
		}
		return t.Confirm(domain.Proof{Method: domain.ProofByCode, At: now, RecordedBy: by, RecorderRole: domain.RoleVolunteer}, rating, now)
	})
	switch {
	case err != nil:
		return err
	case codeErr != nil:
		return codeErr
	}
	return h.answer(c, p, t)
}

func (h *taskHandlers) requireKey() error {
	if len(h.proofKey) == 0 {
		return domain.Errorf(domain.EINTERNAL, "proof codes are not configured (Deps.ProofKey)")
	}
	return nil
}

// coordinatorMove applies a coordinator's move to the task of the route, if
// it lies in their place (else 404), and answers the task.
func (h *taskHandlers) coordinatorMove(c *fiber.Ctx, move func(t *domain.Task, p domain.Principal, now time.Time) error) (domain.Task, error) {
	p, err := authorize(c, "", domain.RoleCoordinator)
	if err != nil {
		return domain.Task{}, err
	}
	return h.store.UpdateTask(c.UserContext(), c.Params("id"), func(t *domain.Task) error {
		if !p.CanSeePlace(t.Place) {
			return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
		}
		return move(t, p, h.now())
	})
}

// issueCode draws a new one-time code for the task and answers it once: the
// coordinator passes it to the resident (by phone or text), who gives it to
// the volunteer at the end of the visit. Only its hash is kept; a new code
// replaces the last.
func (h *taskHandlers) issueCode(c *fiber.Ctx) error {
	if err := h.requireKey(); err != nil {
		return err
	}
	var code string
	t, err := h.coordinatorMove(c, func(t *domain.Task, _ domain.Principal, now time.Time) error {
		if t.State != domain.TaskClaimed && t.State != domain.TaskInProgress && t.State != domain.TaskDone {
			return domain.Errorf(domain.ECONFLICT, "任务当前为 %s，只有已认领、进行中或待确认的任务发放验证码 / no code for a task in this state", t.State)
		}
		var pc domain.ProofCode
		var err error
		code, pc, err = domain.IssueProofCode(h.random, h.proofKey, t.ID, now, codeTTL)
		t.Code = &pc
		return err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"task_id": t.ID, "code": code, "expires_at": t.Code.ExpiresAt})
}

type confirmRequest struct {
	Method       domain.ProofMethod `json:"method"`
	Note         string             `json:"note"`
	SignatureRef string             `json:"signature_ref"`
	Rating       *ratingRequest     `json:"rating"`
}

// confirm proves a checked-out visit by the coordinator's follow-up call
// (callback, with what the resident said) or the resident's signature.
func (h *taskHandlers) confirm(c *fiber.Ctx) error {
	var req confirmRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Method == domain.ProofByCode {
		return domain.Invalid("method", "enum", "验证码由志愿者完成任务时提交 / codes are entered by the volunteer on /complete")
	}
	t, err := h.coordinatorMove(c, func(t *domain.Task, p domain.Principal, now time.Time) error {
		rating, err := req.Rating.rating(p.Username, now)
		if err != nil {
			return err
		}
		proof := domain.Proof{Method: req.Method, At: now, RecordedBy: p.Username, RecorderRole: domain.RoleCoordinator,
			Note: req.Note, SignatureRef: req.SignatureRef}
		return t.Confirm(proof, rating, now)
	})
	if err != nil {
		return err
	}
	return h.answer(c, principal(c), t)
}

type cancelTaskRequest struct {
	Note string `json:"note"`
}

// cancel ends a task before it is done, with a reason; a hand-posted task's
// need goes back to open.
func (h *taskHandlers) cancel(c *fiber.Ctx) error {
	var req cancelTaskRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := h.coordinatorMove(c, func(t *domain.Task, p domain.Principal, now time.Time) error {
		return t.Cancel(p.Username, req.Note, now)
	})
	if err != nil {
		return err
	}
	return h.answer(c, principal(c), t)
}
