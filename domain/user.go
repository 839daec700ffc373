package domain

import (
	"regexp"
	"time"
)

// Role is what an account may do. Coordinators are bound to a place; the
// provider roles (ngo, enterprise, unit) to one provider.
type Role string

// Roles of DOMAIN.md's "Users" table.
const (
	RoleAdmin       Role = "admin"
	RoleCoordinator Role = "coordinator"
	RoleNGO         Role = "ngo"
	RoleEnterprise  Role = "enterprise"
	RoleUnit        Role = "unit"
	RoleVolunteer   Role = "volunteer"
)

// Roles lists every role, in a stable order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleCoordinator, RoleNGO, RoleEnterprise, RoleUnit, RoleVolunteer}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if r == k {
			return true
		}
	}
	return false
}

// IsProvider reports whether the role acts for a provider organisation.
func (r Role) IsProvider() bool {
	return r == RoleNGO || r == RoleEnterprise || r == RoleUnit
}

// User is an account.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Role     Role   `json:"role"`
	// Place is the coordinator's scope (district, street or community code);
	// empty for other roles.
	Place string `json:"place"`
	// ProviderID binds ngo, enterprise and unit accounts to their provider.
	ProviderID   string    `json:"provider_id"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	Demo         bool      `json:"demo"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Validate checks the account's fields. places may be nil when the tree is
// not at hand (then a coordinator's place is checked for shape only).
func (u *User) Validate(places *Places) error {
	var p Problems
	if !usernamePattern.MatchString(u.Username) {
		p.Add("username", "format", "用户名须为 2–64 位小写字母、数字、点、下划线或连字符")
	}
	if !u.Role.Valid() {
		p.Addf("role", "enum", "未知角色 %q", u.Role)
	}
	switch {
	case u.Role == RoleCoordinator:
		lvl := PlaceLevelOf(u.Place)
		if lvl != LevelDistrict && lvl != LevelStreet && lvl != LevelCommunity {
			p.Add("place", "format", "协调员须绑定区、街道或社区的 12 位区划代码")
		} else if places != nil {
			if _, ok := places.Get(u.Place); !ok {
				p.Addf("place", "exists", "区划 %q 不存在", u.Place)
			}
		}
	case u.Place != "":
		p.Add("place", "forbidden", "只有协调员绑定区划")
	}
	if u.Role.IsProvider() && u.ProviderID == "" {
		p.Add("provider_id", "required", "机构账号须绑定一个社会力量")
	}
	if !u.Role.IsProvider() && u.Role != RoleVolunteer && u.ProviderID != "" {
		p.Add("provider_id", "forbidden", "该角色不绑定社会力量")
	}
	return p.Err()
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID     string
	Username   string
	Role       Role
	Place      string
	ProviderID string
}

// CanSeePlace reports whether the caller's scope covers place: admins see
// everything, coordinators their subtree, nobody else any household place.
func (p Principal) CanSeePlace(place string) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleCoordinator:
		return PlaceWithin(place, p.Place)
	}
	return false
}

// Authorize returns nil when the caller has one of roles and, if place is not
// empty, its scope covers place. It is the one check every endpoint uses.
func (p Principal) Authorize(place string, roles ...Role) error {
	allowed := false
	for _, r := range roles {
		if p.Role == r {
			allowed = true
			break
		}
	}
	if !allowed {
		return Errorf(EFORBIDDEN, "无权执行此操作 / your role may not do this")
	}
	if place != "" && (p.Role == RoleAdmin || p.Role == RoleCoordinator) && !p.CanSeePlace(place) {
		return Errorf(EFORBIDDEN, "超出您的辖区 / outside your place")
	}
	return nil
}
