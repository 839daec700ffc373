package domain

import (
	"strings"
	"testing"
	"time"
)

func fxNeed() Need {
	return Need{HouseholdID: "h1", MemberID: "m1", Place: "610103002001", Item: "meal",
		OwnWords: "我腿不好，做不了饭，儿子电话13812345678", NeutralNote: "老人行动不便，需要每天午餐",
		Urgency: UrgencyHigh, Channel: ChannelSentinel, State: NeedOpen, CreatedBy: "u7", CreatedAt: day(2025, 6, 1)}
}

func TestNeedValidate(t *testing.T) {
	places, cat := fxPlaces(t), fxCatalogue(t)
	tests := []struct {
		name   string
		modify func(*Need)
		field  string
		rule   string
	}{
		{"valid", func(*Need) {}, "", ""},
		{"valid closed", func(n *Need) { n.State, n.CloseReason = NeedClosed, CloseDuplicate }, "", ""},
		{"valid from warning", func(n *Need) { n.Channel, n.WarningID = ChannelWarning, "w1" }, "", ""},
		{"note with a date and price", func(n *Need) { n.NeutralNote = "2025-06-01起，每餐约15元" }, "", ""},
		{"household missing", func(n *Need) { n.HouseholdID = "" }, "household_id", "required"},
		{"member missing", func(n *Need) { n.MemberID = "" }, "member_id", "required"},
		{"place unknown", func(n *Need) { n.Place = "610103002002" }, "place", "exists"},
		{"place a district", func(n *Need) { n.Place = "610103000000" }, "place", "level"},
		{"item missing", func(n *Need) { n.Item = "" }, "item", "required"},
		{"item unknown", func(n *Need) { n.Item = "bathing" }, "item", "exists"},
		{"own words too long", func(n *Need) { n.OwnWords = strings.Repeat("字", 1001) }, "own_words", "length"},
		{"neutral note missing", func(n *Need) { n.NeutralNote = "" }, "neutral_note", "required"},
		{"neutral note with mobile", func(n *Need) { n.NeutralNote = "联系 138 1234 5678" }, "neutral_note", "privacy"},
		{"neutral note with ID", func(n *Need) { n.NeutralNote = "身份证11010519491231002X" }, "neutral_note", "privacy"},
		{"neutral note with full-width digits", func(n *Need) { n.NeutralNote = "电话１３８１２３４５６７８" }, "neutral_note", "privacy"},
		{"urgency unknown", func(n *Need) { n.Urgency = "asap" }, "urgency", "enum"},
		{"channel unknown", func(n *Need) { n.Channel = "wechat" }, "channel", "enum"},
		{"warning without link", func(n *Need) { n.Channel = ChannelWarning }, "warning_id", "required"},
		{"state unknown", func(n *Need) { n.State = "done" }, "state", "enum"},
		{"closed without reason", func(n *Need) { n.State = NeedClosed }, "close_reason", "required"},
		{"closed with bad reason", func(n *Need) { n.State, n.CloseReason = NeedClosed, "bored" }, "close_reason", "required"},
		{"open with reason", func(n *Need) { n.CloseReason = CloseNoSupply }, "close_reason", "forbidden"},
		{"creator missing", func(n *Need) { n.CreatedBy = "" }, "created_by", "required"},
		{"created in future", func(n *Need) { n.CreatedAt = day(2025, 7, 1) }, "created_at", "range"},
		{"negative version", func(n *Need) { n.Version = -2 }, "version", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := fxNeed()
			tt.modify(&n)
			expectRule(t, n.Validate(places, cat, fixNow), tt.field, tt.rule)
		})
	}
	expectRule(t, fxNeed().Validate(places, nil, fixNow), "item", "exists")
}

func TestCanTransition(t *testing.T) {
	all := []NeedState{NeedOpen, NeedProposed, NeedMatched, NeedInService, NeedResolved, NeedClosed}
	allowed := map[[2]NeedState]bool{
		{NeedOpen, NeedProposed}: true, {NeedOpen, NeedMatched}: true, {NeedOpen, NeedClosed}: true,
		{NeedProposed, NeedOpen}: true, {NeedProposed, NeedMatched}: true, {NeedProposed, NeedClosed}: true,
		{NeedMatched, NeedOpen}: true, {NeedMatched, NeedInService}: true, {NeedMatched, NeedClosed}: true,
		{NeedInService, NeedOpen}: true, {NeedInService, NeedResolved}: true, {NeedInService, NeedClosed}: true,
	}
	// Every pair, so that a new edge in the table cannot slip in untested.
	for _, from := range append(all, "bogus") {
		for _, to := range append(all, "bogus") {
			if got := CanTransition(from, to); got != allowed[[2]NeedState{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestNeedTransition(t *testing.T) {
	n := fxNeed()
	at := day(2025, 6, 10)
	if err := n.Transition(NeedResolved, "", at); ErrorCode(err) != ECONFLICT {
		t.Fatalf("open → resolved: %v", err)
	}
	if err := n.Transition(NeedClosed, "", at); ErrorCode(err) != EINVALID || n.State != NeedOpen {
		t.Fatalf("close without reason: %v, state %s", err, n.State)
	}
	if err := n.Transition(NeedMatched, CloseNoSupply, at); err != nil || n.State != NeedMatched || n.CloseReason != "" || !n.UpdatedAt.Equal(at) {
		t.Fatalf("open → matched: %v %+v", err, n)
	}
	if err := n.Transition(NeedClosed, CloseUnreachable, at); err != nil || n.CloseReason != CloseUnreachable {
		t.Fatalf("matched → closed: %v %+v", err, n)
	}
	if err := n.Transition(NeedOpen, "", at); ErrorCode(err) != ECONFLICT {
		t.Fatalf("closed is final: %v", err)
	}
}

func TestUrgencyRank(t *testing.T) {
	if !(UrgencyLow.Rank() < UrgencyNormal.Rank() && UrgencyNormal.Rank() < UrgencyHigh.Rank() && UrgencyHigh.Rank() < UrgencyCritical.Rank()) {
		t.Fatal("urgency order")
	}
	if Urgency("asap").Rank() != 0 || Urgency("").Valid() {
		t.Fatal("unknown urgency")
	}
}

func TestCheckPastAllowsNow(t *testing.T) {
	var p Problems
	checkPast(&p, "at", fixNow, fixNow, true, "时间")
	checkPast(&p, "at", time.Time{}, fixNow, false, "时间")
	if p.Len() != 0 {
		t.Fatalf("problems: %v", p.Err())
	}
}
