package seed

import (
	"strings"

	"lianzhu/domain"
)

// DemoCommunityCoordinators are the communities that get a demo coordinator
// account of their own (coordinator.<12-digit code>).
var demoCommunities = []string{"610103002001", "610103002002", "610103005001"}

// DemoAccounts returns the demo accounts that exist without providers: the
// admin, the district coordinator, one coordinator per street and a few
// community coordinators. Every account gets passwordHash (one hash shared by
// all: bcrypt for each of thousands of accounts would cost minutes) and is
// marked Demo so switching demo mode off disables them.
func DemoAccounts(passwordHash string) []domain.User {
	users := []domain.User{
		{Username: "admin", Role: domain.RoleAdmin},
		{Username: "coordinator", Role: domain.RoleCoordinator, Place: DistrictCode},
	}
	for _, code := range StreetCodes() {
		users = append(users, domain.User{Username: "coordinator." + strings.TrimSuffix(code, "000"), Role: domain.RoleCoordinator, Place: code})
	}
	for _, code := range demoCommunities {
		users = append(users, domain.User{Username: "coordinator." + code, Role: domain.RoleCoordinator, Place: code})
	}
	for i := range users {
		users[i].PasswordHash = passwordHash
		users[i].Demo = true
	}
	return users
}
