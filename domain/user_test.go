package domain

import "testing"

func TestPlaceWithin(t *testing.T) {
	tests := []struct {
		name, place, scope string
		want               bool
	}{
		{"district covers street", "610103002000", "610103000000", true},
		{"district covers compound", "610103002003001", "610103000000", true},
		{"street covers own community", "610103002003", "610103002000", true},
		{"street does not cover sibling", "610103003001", "610103002000", false},
		{"community covers itself", "610103002003", "610103002003", true},
		{"community covers its compound", "610103002003007", "610103002003", true},
		{"other district", "610104001000", "610103000000", false},
		{"empty scope is everything", "610104001000", "", true},
		{"empty place is never within a scope", "", "610103000000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlaceWithin(tt.place, tt.scope); got != tt.want {
				t.Fatalf("PlaceWithin(%q,%q)=%v want %v", tt.place, tt.scope, got, tt.want)
			}
		})
	}
}

func TestPlaceLevelOf(t *testing.T) {
	tests := map[string]PlaceLevel{
		"610103000000":    LevelDistrict,
		"610103002000":    LevelStreet,
		"610103002003":    LevelCommunity,
		"610103002003001": LevelCompound,
		"61010300200":     "",
		"6101030020a3":    "",
		"":                "",
	}
	for code, want := range tests {
		if got := PlaceLevelOf(code); got != want {
			t.Errorf("PlaceLevelOf(%q)=%q want %q", code, got, want)
		}
	}
}

func TestNewPlacesRejectsBadTree(t *testing.T) {
	_, err := NewPlaces([]Place{
		{Code: "610103000000", Level: LevelDistrict},
		{Code: "610103002000", Level: LevelStreet, Parent: "610103000000"},
		{Code: "610103002000", Level: LevelStreet, Parent: "610103000000"},
		{Code: "610103009001", Level: LevelCommunity, Parent: "610103009000"},
		{Code: "610103002001", Level: LevelStreet},
	})
	if ErrorCode(err) != EINVALID {
		t.Fatalf("want invalid, got %v", err)
	}
	if n := len(err.(*Error).Fields); n != 3 {
		t.Fatalf("want 3 problems, got %d: %v", n, err)
	}
}

func TestUserValidate(t *testing.T) {
	tree, err := NewPlaces([]Place{
		{Code: "610103000000", Level: LevelDistrict},
		{Code: "610103002000", Level: LevelStreet, Parent: "610103000000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		user  User
		field string // "" means valid
	}{
		{"admin", User{Username: "admin", Role: RoleAdmin}, ""},
		{"street coordinator", User{Username: "coordinator.610103002", Role: RoleCoordinator, Place: "610103002000"}, ""},
		{"coordinator without place", User{Username: "c1", Role: RoleCoordinator}, "place"},
		{"coordinator of unknown place", User{Username: "c1", Role: RoleCoordinator, Place: "610103008000"}, "place"},
		{"coordinator of compound", User{Username: "c1", Role: RoleCoordinator, Place: "610103002003001"}, "place"},
		{"ngo without provider", User{Username: "ngo1", Role: RoleNGO}, "provider_id"},
		{"volunteer with place", User{Username: "v1", Role: RoleVolunteer, Place: "610103002000"}, "place"},
		{"bad username", User{Username: "A B", Role: RoleAdmin}, "username"},
		{"unknown role", User{Username: "x1", Role: "boss"}, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.user.Validate(tree)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Fields[0].Field != tt.field {
				t.Fatalf("want field %s, got %v", tt.field, err)
			}
		})
	}
}

func TestPrincipalAuthorize(t *testing.T) {
	street := Principal{Role: RoleCoordinator, Place: "610103002000"}
	tests := []struct {
		name  string
		p     Principal
		place string
		roles []Role
		want  string
	}{
		{"coordinator in scope", street, "610103002005", []Role{RoleCoordinator}, ""},
		{"coordinator other street", street, "610103003001", []Role{RoleCoordinator}, EFORBIDDEN},
		{"wrong role", Principal{Role: RoleVolunteer}, "", []Role{RoleCoordinator, RoleAdmin}, EFORBIDDEN},
		{"admin anywhere", Principal{Role: RoleAdmin}, "610103003001", []Role{RoleAdmin}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.p.Authorize(tt.place, tt.roles...)); got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
		})
	}
}
