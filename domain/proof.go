package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// ProofMethod is how a completed service was proven: completion counts only
// with proof.
type ProofMethod string

// Proof methods.
const (
	ProofByCode      ProofMethod = "code"      // the one-time code the resident gives the worker
	ProofByCallback  ProofMethod = "callback"  // a coordinator's follow-up call (回访)
	ProofBySignature ProofMethod = "signature" // the resident's signature
)

// Valid reports whether m is a known method.
func (m ProofMethod) Valid() bool {
	return m == ProofByCode || m == ProofByCallback || m == ProofBySignature
}

// Proof is the evidence that a service was delivered.
type Proof struct {
	Method     ProofMethod `json:"method"`
	At         time.Time   `json:"at"`
	RecordedBy string      `json:"recorded_by"`
	// RecorderRole matters for callbacks: only a coordinator's call counts,
	// never the provider vouching for itself.
	RecorderRole Role `json:"recorder_role"`
	// SignatureRef names the stored image of the resident's signature.
	SignatureRef string `json:"signature_ref,omitempty"`
	// Note is what the resident said on the call, or any remark.
	Note string `json:"note,omitempty"`
}

// Validate checks the proof.
func (pf Proof) Validate(now time.Time) error {
	var p Problems
	if !pf.Method.Valid() {
		p.Add("method", "enum", "凭证方式须为 code、callback 或 signature")
	}
	checkPast(&p, "at", pf.At, now, true, "确认时间")
	checkText(&p, "recorded_by", pf.RecordedBy, true, 40, "记录人")
	switch {
	case !pf.RecorderRole.Valid():
		p.Add("recorder_role", "enum", "记录人角色无效")
	case pf.Method == ProofByCallback && pf.RecorderRole != RoleCoordinator:
		p.Add("recorder_role", "role", "回访确认须由协调员记录")
	}
	checkText(&p, "signature_ref", pf.SignatureRef, pf.Method == ProofBySignature, 200, "签字文件")
	if pf.Method != ProofBySignature && pf.SignatureRef != "" {
		p.Add("signature_ref", "forbidden", "只有签字确认有签字文件")
	}
	checkText(&p, "note", pf.Note, pf.Method == ProofByCallback, 500, "回访记录")
	return p.Err()
}

// ProofCodeDigits is the length of a one-time code; MaxCodeAttempts is how
// many wrong codes lock it (then a callback or signature proves the service):
// six digits and five guesses give a guesser one chance in 200,000.
const (
	ProofCodeDigits = 6
	MaxCodeAttempts = 5
)

// NewProofCode draws a uniformly random 6-digit code from random (crypto/rand
// in production, a fixed source in tests), rejecting draws that would bias
// the low codes.
func NewProofCode(random io.Reader) (string, error) {
	const space = 1_000_000
	const limit = (1 << 32) / space * space
	var b [4]byte
	for {
		if _, err := io.ReadFull(random, b[:]); err != nil {
			return "", fmt.Errorf("proof code: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%06d", v%space), nil
		}
	}
}

// HashProofCode returns the stored form of a code: HMAC-SHA256 under the
// server's key, bound to the referral or task it proves (subjectID), so a
// stolen table neither reveals codes cheaply nor lets one case's code prove
// another.
func HashProofCode(key []byte, subjectID, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(subjectID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckProofCode reports whether code matches hash, comparing in constant
// time.
func CheckProofCode(hash string, key []byte, subjectID, code string) bool {
	return subtle.ConstantTimeCompare([]byte(hash), []byte(HashProofCode(key, subjectID, code))) == 1
}

// ProofCode is the stored side of a one-time code: its hash, never the code.
type ProofCode struct {
	Hash     string    `json:"hash"`
	IssuedAt time.Time `json:"issued_at"`
	// ExpiresAt is zero for a code valid until used.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Attempts  int       `json:"attempts"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// IssueProofCode draws a code for a subject and returns it (to hand to the
// resident, once) with its stored form; ttl 0 means no expiry.
func IssueProofCode(random io.Reader, key []byte, subjectID string, now time.Time, ttl time.Duration) (string, ProofCode, error) {
	code, err := NewProofCode(random)
	if err != nil {
		return "", ProofCode{}, err
	}
	pc := ProofCode{Hash: HashProofCode(key, subjectID, code), IssuedAt: now}
	if ttl > 0 {
		pc.ExpiresAt = now.Add(ttl)
	}
	return code, pc, nil
}

// Redeemed reports whether the code was checked and used; a nil code never was.
func (c *ProofCode) Redeemed() bool { return c != nil && !c.UsedAt.IsZero() }

// Redeem checks a code the worker entered and marks it used. A wrong code
// counts an attempt (the caller must save the code either way) and is
// EINVALID; a missing, used, expired or locked code is ECONFLICT.
func (c *ProofCode) Redeem(key []byte, subjectID, code string, now time.Time) error {
	switch {
	case c == nil:
		return Errorf(ECONFLICT, "未发放验证码，请用回访或签字确认")
	case c.Redeemed():
		return Errorf(ECONFLICT, "验证码已使用")
	case c.Attempts >= MaxCodeAttempts:
		return Errorf(ECONFLICT, "验证码错误次数过多已锁定，请用回访或签字确认")
	case !c.ExpiresAt.IsZero() && now.After(c.ExpiresAt):
		return Errorf(ECONFLICT, "验证码已过期")
	case len(code) != ProofCodeDigits || !isDigits(code):
		return Invalid("code", "format", "验证码须为6位数字")
	}
	if !CheckProofCode(c.Hash, key, subjectID, code) {
		c.Attempts++
		return Invalid("code", "mismatch", fmt.Sprintf("验证码错误，还可尝试%d次", MaxCodeAttempts-c.Attempts))
	}
	c.UsedAt = now
	return nil
}

// Rating is the resident's rating of a service, 1 to 5 stars.
type Rating struct {
	Stars   int       `json:"stars"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
	// RecordedBy is the user who entered it (the resident has no account).
	RecordedBy string `json:"recorded_by"`
}

// Validate checks the rating.
func (r Rating) Validate(now time.Time) error {
	var p Problems
	if r.Stars < 1 || r.Stars > 5 {
		p.Add("stars", "range", "评分须为1–5星")
	}
	checkText(&p, "comment", r.Comment, false, 500, "评价内容")
	checkPast(&p, "at", r.At, now, true, "评价时间")
	checkText(&p, "recorded_by", r.RecordedBy, true, 40, "记录人")
	return p.Err()
}

// ServiceRecord (服务记录) is one delivery of a service: a meal, a bath, a
// volunteer's visit. Priced records are settled to the provider monthly once
// the referral's proof confirmed them.
type ServiceRecord struct {
	ID          string `json:"id"`
	ReferralID  string `json:"referral_id"`
	TaskID      string `json:"task_id,omitempty"`
	HouseholdID string `json:"household_id"`
	MemberID    string `json:"member_id"`
	// ProviderID is the organisation, or the volunteer's provider entry.
	ProviderID  string    `json:"provider_id"`
	OfferingID  string    `json:"offering_id,omitempty"`
	Item        string    `json:"item"`
	Date        time.Time `json:"date"`
	Minutes     int       `json:"minutes"`
	Units       int       `json:"units"`
	WhatWasDone string    `json:"what_was_done"`
	Worker      string    `json:"worker"`
	Rating      *Rating   `json:"rating,omitempty"`
	// VoucherFen is paid by the household's voucher, OtherFen otherwise
	// (by the resident, at the offering's price).
	VoucherFen Fen `json:"voucher_fen"`
	OtherFen   Fen `json:"other_fen"`
	// ConfirmedAt is when the referral's proof confirmed the record; only
	// confirmed records are settled.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	StatementID string    `json:"statement_id,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// maxRecordMinutes: one record covers at most a day.
const maxRecordMinutes = 24 * 60

// TotalFen is the record's price: voucher plus other payment.
func (s ServiceRecord) TotalFen() Fen { return s.VoucherFen + s.OtherFen }

// Validate checks the record against the catalogue.
func (s ServiceRecord) Validate(cat *Catalogue, now time.Time) error {
	var p Problems
	checkRefs(&p, ref{"referral_id", s.ReferralID, "转介"}, ref{"household_id", s.HouseholdID, "家庭档案"},
		ref{"member_id", s.MemberID, "成员"}, ref{"provider_id", s.ProviderID, "服务方"})
	checkItem(&p, "item", s.Item, cat)
	checkPast(&p, "date", s.Date, now, true, "服务日期")
	if s.Minutes < 1 || s.Minutes > maxRecordMinutes {
		p.Addf("minutes", "range", "服务时长须在1–%d分钟之间", maxRecordMinutes)
	}
	if s.Units < 1 || s.Units > maxUnits {
		p.Addf("units", "range", "服务数量须在1–%d之间", maxUnits)
	}
	checkText(&p, "what_was_done", s.WhatWasDone, true, 500, "服务内容")
	checkText(&p, "worker", s.Worker, true, 50, "服务人员")
	if s.Rating != nil {
		p.Merge("rating", s.Rating.Validate(now))
	}
	if s.VoucherFen < 0 {
		p.Add("voucher_fen", "range", "服务券金额不能为负数")
	}
	if s.OtherFen < 0 {
		p.Add("other_fen", "range", "其他支付金额不能为负数")
	}
	switch {
	case !s.ConfirmedAt.IsZero() && s.ConfirmedAt.Before(s.Date):
		p.Add("confirmed_at", "range", "确认时间不能早于服务日期")
	case s.StatementID != "" && s.ConfirmedAt.IsZero():
		p.Add("statement_id", "forbidden", "未确认的服务记录不能结算")
	}
	checkPast(&p, "confirmed_at", s.ConfirmedAt, now, false, "确认时间")
	checkText(&p, "recorded_by", s.RecordedBy, true, 40, "记录人")
	checkPast(&p, "created_at", s.CreatedAt, now, true, "记录时间")
	return p.Err()
}

// LogEntry returns the household log's entry for the record, under an ID
// derived from the record's so that writing it twice is harmless. itemName
// is the catalogue item's name.
func (s ServiceRecord) LogEntry(itemName string) LogEntry {
	text := fmt.Sprintf("%s：%s（%d分钟，服务人员：%s", itemName, s.WhatWasDone, s.Minutes, s.Worker)
	if s.Rating != nil {
		text += fmt.Sprintf("，评价%d星", s.Rating.Stars)
	}
	return LogEntry{ID: "svc-" + s.ID, HouseholdID: s.HouseholdID, MemberID: s.MemberID, Kind: LogService,
		At: s.Date, Author: s.RecordedBy, Text: text + "）", RefID: s.ReferralID}
}
