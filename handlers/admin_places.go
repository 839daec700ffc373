package handlers

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// PlaceAdminStore is what place administration needs.
type PlaceAdminStore interface {
	Places(ctx context.Context) ([]domain.Place, error)
	CreatePlace(ctx context.Context, p domain.Place) error
	UpdatePlace(ctx context.Context, old, next domain.Place) error
}

// placeAdmin adds and edits places (admins). A place's level and parent
// follow from its code (统计用区划代码), so they are derived, and a request
// that states them must agree. The running server's search index keeps the
// place names it loaded at start: a renamed place shows in search documents
// after the next start or reindex.
type placeAdmin struct {
	store PlaceAdminStore
	tree  *placeTree
}

// parentCode returns the code of the place directly above code by its
// shape ("" for a district).
func parentCode(code string) string {
	switch domain.PlaceLevelOf(code) {
	case domain.LevelStreet:
		return code[:6] + "000000"
	case domain.LevelCommunity:
		return code[:9] + "000"
	case domain.LevelCompound:
		return code[:12]
	}
	return ""
}

// checkPlace validates a place against the tree it joins (list without it).
func checkPlace(pl domain.Place, list []domain.Place) error {
	var pr domain.Problems
	level := domain.PlaceLevelOf(pl.Code)
	switch {
	case level == "":
		pr.Add("code", "format", "区划代码须为 12 或 15 位数字 / place code must be 12 or 15 digits")
	case pl.Level != level:
		pr.Addf("level", "mismatch", "代码 %s 对应层级 %s / the code is of level %s", pl.Code, level, level)
	}
	if level != "" && pl.Parent != parentCode(pl.Code) {
		pr.Addf("parent", "mismatch", "上级区划须为 %s / the parent must be %s", parentCode(pl.Code), parentCode(pl.Code))
	}
	if n := len([]rune(pl.Name)); n == 0 || n > 40 {
		pr.Add("name", "required", "名称须为1–40个字 / name is required (at most 40 characters)")
	}
	if pl.Sentinel && level != domain.LevelCompound {
		pr.Add("sentinel", "level", "只有小区院落可设需求哨点 / only a compound hosts a need sentinel")
	}
	if pl.Lat < -90 || pl.Lat > 90 {
		pr.Add("lat", "range", "纬度须在 -90 到 90 之间 / latitude must be between -90 and 90")
	}
	if pl.Lng < -180 || pl.Lng > 180 {
		pr.Add("lng", "range", "经度须在 -180 到 180 之间 / longitude must be between -180 and 180")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if _, err := domain.NewPlaces(append(list, pl)); err != nil {
		return fieldsUnder(err, "places["+strconv.Itoa(len(list))+"].")
	}
	return nil
}

// create adds a place under an existing parent.
func (h *placeAdmin) create(c *fiber.Ctx) error {
	var in domain.Place
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	if in.Level == "" {
		in.Level = domain.PlaceLevelOf(in.Code)
	}
	if in.Parent == "" {
		in.Parent = parentCode(in.Code)
	}
	list, err := h.store.Places(c.UserContext())
	if err != nil {
		return err
	}
	for _, p := range list {
		if p.Code == in.Code {
			e := domain.Errorf(domain.ECONFLICT, "区划代码已存在 / the place code exists")
			e.Fields = []domain.FieldError{{Field: "code", Rule: "unique", Message: "区划代码已存在"}}
			return e
		}
	}
	if err := checkPlace(in, list); err != nil {
		return err
	}
	if err := h.store.CreatePlace(c.UserContext(), in); err != nil {
		return err
	}
	h.tree.forget()
	return c.Status(fiber.StatusCreated).JSON(in)
}

// update renames a place, moves its centre or sets its sentinel; its code,
// level and parent cannot change.
func (h *placeAdmin) update(c *fiber.Ctx) error {
	var in domain.Place
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := authorize(c, "", domain.RoleAdmin); err != nil {
		return err
	}
	list, err := h.store.Places(c.UserContext())
	if err != nil {
		return err
	}
	code := c.Params("code")
	var old domain.Place
	rest := make([]domain.Place, 0, len(list))
	for _, p := range list {
		if p.Code == code {
			old = p
			continue
		}
		rest = append(rest, p)
	}
	if old.Code == "" {
		return domain.Errorf(domain.ENOTFOUND, "未找到 / not found")
	}
	var pr domain.Problems
	if in.Code != "" && in.Code != code {
		pr.Add("code", "immutable", "区划代码不能修改 / the code cannot change")
	}
	if in.Level != "" && in.Level != old.Level {
		pr.Add("level", "immutable", "层级不能修改 / the level cannot change")
	}
	if in.Parent != "" && in.Parent != old.Parent {
		pr.Add("parent", "immutable", "上级区划不能修改 / the parent cannot change")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	next := old
	next.Name, next.Sentinel, next.Lat, next.Lng = in.Name, in.Sentinel, in.Lat, in.Lng
	if err := checkPlace(next, rest); err != nil {
		return err
	}
	if err := h.store.UpdatePlace(c.UserContext(), old, next); err != nil {
		return err
	}
	h.tree.forget()
	return c.JSON(next)
}

// forget drops the cached tree after an edit, so validation sees it at once.
func (p *placeTree) forget() {
	p.mu.Lock()
	p.tree = nil
	p.mu.Unlock()
}
