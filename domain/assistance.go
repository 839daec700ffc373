package domain

import (
	"slices"
	"time"
)

// AssistanceKind is an official assistance status, from the top tier down.
type AssistanceKind string

// Assistance statuses.
const (
	AssistTekun        AssistanceKind = "tekun"         // 特困人员
	AssistDibao        AssistanceKind = "dibao"         // 低保对象
	AssistDibaoEdge    AssistanceKind = "dibao_edge"    // 低保边缘家庭
	AssistRigidExpense AssistanceKind = "rigid_expense" // 刚性支出困难家庭
	AssistOrphan       AssistanceKind = "orphan"        // 孤儿、事实无人抚养儿童
	AssistTemporary    AssistanceKind = "temporary"     // 临时救助
)

// AssistanceKinds returns every status, from the top tier down.
func AssistanceKinds() []AssistanceKind {
	return []AssistanceKind{AssistTekun, AssistDibao, AssistDibaoEdge, AssistRigidExpense, AssistOrphan, AssistTemporary}
}

// Valid reports whether k is a known status.
func (k AssistanceKind) Valid() bool { return slices.Contains(AssistanceKinds(), k) }

// layered reports whether k is one of the exclusive layers of 分层分类: a
// household sits in at most one of them.
func (k AssistanceKind) layered() bool {
	return k == AssistTekun || k == AssistDibao || k == AssistDibaoEdge || k == AssistRigidExpense
}

// SupportMode is how a 特困 person is supported.
type SupportMode string

// Support modes.
const (
	SupportCentralised SupportMode = "centralised" // 集中供养 (in an institution)
	SupportDispersed   SupportMode = "dispersed"   // 分散供养 (at home)
)

// AssistanceStatus is a current official status with its decision date; the
// engine never sets one, a coordinator records the office's decision.
type AssistanceStatus struct {
	Kind AssistanceKind `json:"kind"`
	// SupportMode is required for 特困 and empty otherwise.
	SupportMode SupportMode `json:"support_mode,omitempty"`
	DecidedOn   time.Time   `json:"decided_on"`
	// DecisionRef is the decision's document number (文号), when known.
	DecisionRef string `json:"decision_ref,omitempty"`
}
