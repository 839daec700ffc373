package domain

// VolunteerConsent returns nil when a member of h may be served through a
// volunteer task: the household did not ask not to be contacted and the
// member's consent to share with volunteers stands. Otherwise ECONFLICT says
// which, so a coordinator knows what to record (or that nothing may be done).
// Every task is created and claimed only past this check.
func VolunteerConsent(h *Household, memberID string) error {
	switch {
	case h.DoNotContact:
		return Errorf(ECONFLICT, "该居民要求不被联系，不能交给志愿者 / the resident asked not to be contacted")
	case !ConsentGiven(h.Consents, memberID, RecipientVolunteer):
		return Errorf(ECONFLICT, "居民未同意（或已撤回同意）向志愿者提供信息 / the resident has not consented to share with volunteers")
	}
	return nil
}
