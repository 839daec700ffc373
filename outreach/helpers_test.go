package outreach_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"lianzhu/domain"
	"lianzhu/internal/testenv"
	"lianzhu/outreach"
	"lianzhu/seed"
	"lianzhu/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// clock is a settable test clock shared by the store and the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testNow is mid-2026: the seed parameters put the 低保 standard at ¥820 and
// the 刚性支出 income line at ¥4,300.
var testNow = time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)

const (
	district  = seed.DistrictCode
	compound  = "610103002001001" // 柏树林街道 柏树林社区
	otherDist = "610104000000"    // a district of nobody's here
)

// fixture is a store on its own database, a clock and an engine over them.
type fixture struct {
	t     testing.TB
	db    *store.DB
	clock *clock
	e     *outreach.Engine
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pii, err := store.NewPII([]byte("0123456789abcdef0123456789abcdef"), "test-id-hash-key-test-id-hash-key!")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: testNow}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, testenv.MongoURI(t), testenv.DBName(t), store.Options{Now: clk.Now, PII: pii, Logger: quiet,
		FerretDBPostgres: testenv.FerretDBPostgres(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	e := &outreach.Engine{Store: db, Rules: seed.SeedWarningRules(), Policies: seed.Policies(), Params: seed.PolicyParams(),
		Catalogue: seed.Catalogue(), Now: clk.Now, Log: quiet}
	return &fixture{t: t, db: db, clock: clk, e: e}
}

// idn returns a valid ID number under the demo area for a birth date and
// sequence.
func idn(birth string, seq int) string {
	id, err := domain.CompleteIDNumber(fmt.Sprintf("619901%s%03d", birth, seq))
	if err != nil {
		panic(err)
	}
	return id
}

func fact[T any](v T) *domain.Fact[T] {
	return &domain.Fact[T]{Value: v, Source: domain.SourceEconomicCheck, Date: testNow.AddDate(0, -3, 0)}
}

// family stores a couple with a pupil, outside every tier: per-capita
// income ¥3,000 (under the ¥4,300 刚性支出 line), ¥12,000 of medical costs
// (under its ¥20,000 mark); the wife is seriously ill. It returns the file
// and the members' ID numbers.
func (f *fixture) family(seq int) (domain.Household, []string) {
	f.t.Helper()
	ids := []string{idn("19800304", seq), idn("19820607", seq+1), idn("20150901", seq+2)}
	h := domain.Household{Place: compound, Address: "东关正街1号",
		Members: []domain.Member{
			{ID: "m1", Name: "张伟", IDNumber: ids[0], Relation: domain.RelationSelf,
				WorkAbility: fact(domain.WorkAbilityFull), Employment: fact(domain.EmploymentEmployed)},
			{ID: "m2", Name: "李娟", IDNumber: ids[1], Relation: domain.RelationSpouse,
				WorkAbility: fact(domain.WorkAbilityPartial), Employment: fact(domain.EmploymentNotWorking), SeriousIllness: fact(true)},
			{ID: "m3", Name: "张子轩", IDNumber: ids[2], Relation: domain.RelationChild, Employment: fact(domain.EmploymentStudent)},
		},
		MonthlyIncome: fact(domain.Yuan(9000)), Assets: fact(domain.Yuan(30000)),
		MedicalOutOfPocket12m: fact(domain.Yuan(12000)), LivingAlone: fact(false),
		Assistance: []domain.AssistanceStatus{}, Consents: []domain.ConsentEvent{}}
	if err := f.db.CreateHousehold(context.Background(), &h); err != nil {
		f.t.Fatal(err)
	}
	return h, ids
}

// bill is a large medical bill of the person, settled days before now.
func bill(idNumber string, yuan int64, daysBefore int, ref string) domain.Signal {
	date := testNow.AddDate(0, 0, -daysBefore)
	return domain.Signal{Kind: domain.SignalLargeMedicalBill, AmountFen: domain.Yuan(yuan), Date: date,
		SourceDepartment: domain.DeptMedicalSecurity, IDNumber: idNumber, Name: "李娟", ExternalRef: ref,
		ReceivedAt: date.AddDate(0, 0, 1)}
}

func (f *fixture) ingest(signals ...domain.Signal) outreach.Report {
	f.t.Helper()
	rep, err := f.e.Ingest(context.Background(), outreach.Batch{Signals: signals, Place: district, By: "coordinator"})
	if err != nil {
		f.t.Fatalf("ingest: %v", err)
	}
	return rep
}

// householdWarnings returns the warnings of a household.
func (f *fixture) householdWarnings(id string) []store.WarningRecord {
	f.t.Helper()
	ws, err := f.db.HouseholdWarnings(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return ws
}

func (f *fixture) household(id string) domain.Household {
	f.t.Helper()
	h, err := f.db.Household(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// numberless stores a woman living alone, filed without her ID number,
// with income and medical costs just under the 刚性支出 mark.
func (f *fixture) numberless(ctx context.Context) domain.Household {
	f.t.Helper()
	h := domain.Household{Place: compound, Address: "东关正街2号", Members: []domain.Member{
		{ID: "m1", Name: "赵敏", Relation: domain.RelationSelf, BirthYear: 1982},
	}, MonthlyIncome: fact(domain.Yuan(3000)), MedicalOutOfPocket12m: fact(domain.Yuan(12000)),
		Assistance: []domain.AssistanceStatus{}, Consents: []domain.ConsentEvent{}}
	if err := f.db.CreateHousehold(ctx, &h); err != nil {
		f.t.Fatal(err)
	}
	return h
}
