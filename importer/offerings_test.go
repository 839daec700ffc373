package importer

import (
	"bytes"
	"testing"

	"lianzhu/domain"
	"lianzhu/seed"
)

func mustUSCC(first17 string) string {
	code, err := domain.CompleteUSCC(first17)
	if err != nil {
		panic(err)
	}
	return code
}

var (
	suspendedCode = mustUSCC("52610103MJ0000002")
	districtCode  = mustUSCC("91610103MA0000003")
	meal          = row{"服务方统一社会信用代码": exampleCreditCode(), "服务项目代码": "meal", "服务名称": "社区长者食堂助餐",
		"服务描述": "每日午餐", "服务对象": "特困人员、低保、边缘人群", "最小年龄": "60", "服务容量": "40", "容量周期": "每天",
		"个人支付单价(元)": "5", "服务券抵扣(元)": "10.5", "服务时间": "每天11:00–13:00", "服务范围": street2 + "、610103001000",
		"有效期开始": "2025-01-01", "有效期结束": "2025-12-31"}
	bath = row{"服务方统一社会信用代码": exampleCreditCode(), "服务项目代码": "助浴", "服务名称": "上门助浴", "服务对象": "所有困难群众",
		"仅限残疾人": "是", "残疾类别": "肢体、多重", "服务容量": "8", "容量周期": "每周", "状态": "暂停"}
)

// providerSink holds three providers: a verified NGO serving street 002
// (the template's example code), a suspended one and an enterprise serving
// the whole district.
func providerSink(t *testing.T) *memSink {
	s := newMemSink(t)
	s.providers[exampleCreditCode()] = domain.Provider{ID: "pr-1", Kind: domain.ProviderNGO, CreditCode: exampleCreditCode(),
		Area: domain.ServiceArea{Places: []string{street2}}, Verification: domain.VerificationVerified}
	s.providers[suspendedCode] = domain.Provider{ID: "pr-2", Kind: domain.ProviderNGO, CreditCode: suspendedCode,
		Area: domain.ServiceArea{Places: []string{street2}}, Verification: domain.VerificationSuspended}
	s.providers[districtCode] = domain.Provider{ID: "pr-3", Kind: domain.ProviderEnterprise, CreditCode: districtCode,
		Area: domain.ServiceArea{Places: []string{seed.DistrictCode}}, Verification: domain.VerificationVerified}
	return s
}

func importOfferings(t *testing.T, sink *memSink, name string, data []byte, opts Options) Report {
	t.Helper()
	rep, err := importKind(Offerings, name, bytes.NewReader(data), sink, opts)
	if err != nil {
		t.Fatalf("ImportOfferings: %v", err)
	}
	return rep
}

func TestImportOfferings(t *testing.T) {
	sink := providerSink(t)
	data := xlsxBytes(t, grid(Offerings, []row{meal, bath}), nil)
	rep := importOfferings(t, sink, "o.xlsx", data, testOptions())
	if !rep.OK() || rep.Offerings != 2 || rep.Created != 2 {
		t.Fatalf("report = %+v", rep)
	}
	var m, b domain.Offering
	for _, o := range sink.offerings {
		if o.Item == "meal" {
			m = o
		} else {
			b = o
		}
	}
	a := m.Audience
	if m.ProviderID != "pr-1" || len(a.Tiers) != 2 || !a.JustOutside || a.Anyone || a.MinAge != 60 ||
		m.Capacity != 40 || m.Left != 40 || m.Period != domain.CapacityPerDay || m.PriceFen != 500 || m.VoucherFen != 1050 ||
		len(m.Area.Places) != 2 || m.Status != domain.OfferingActive || dateText(m.ValidFrom) != "2025-01-01" || dateText(m.ValidTo) != "2025-12-31" {
		t.Errorf("meal offering = %+v", m)
	}
	if b.Item != "bathing" || !b.Audience.Anyone || !b.Audience.DisabilityOnly || len(b.Audience.DisabilityTypes) != 2 ||
		b.Status != domain.OfferingPaused || b.Area.Places[0] != street2 || dateText(b.ValidFrom) != "2025-06-01" {
		t.Errorf("bath offering (area and start inherited) = %+v", b)
	}

	again := importOfferings(t, sink, "o.csv", csvBytes(t, grid(Offerings, []row{meal, bath}), true), testOptions())
	if !again.OK() || again.Created != 0 || again.Skipped != 2 || len(sink.offerings) != 2 {
		t.Errorf("second import = %+v", again)
	}
}

func TestOfferingRowErrors(t *testing.T) {
	scoped := testOptions()
	scoped.Scope = street2
	own := testOptions()
	own.ProviderID = "pr-3"
	refuseCases(t, Offerings, []rowCase{
		{"wrong check character", []row{meal.with("服务方统一社会信用代码", exampleCreditCode()[:17]+"0")}, testOptions(), 2, "服务方统一社会信用代码", "校验位错误"},
		{"unknown provider", []row{meal.with("服务方统一社会信用代码", mustUSCC("52610103MJ0000009"))}, testOptions(), 2, "服务方统一社会信用代码", "未找到"},
		{"suspended provider", []row{meal.with("服务方统一社会信用代码", suspendedCode)}, testOptions(), 2, "服务方统一社会信用代码", "暂停"},
		{"another provider's code", []row{meal}, own, 2, "服务方统一社会信用代码", "本机构"},
		{"unknown item", []row{meal.with("服务项目代码", "massage")}, testOptions(), 2, "服务项目代码", "不在服务目录中"},
		{"voucher above unit price", []row{meal.with("服务券抵扣(元)", "16")}, testOptions(), 2, "服务券抵扣(元)", "不能高于目录单价"},
		{"price with three decimals", []row{meal.with("个人支付单价(元)", "5.005")}, testOptions(), 2, "个人支付单价(元)", "两位小数"},
		{"no audience", []row{meal.with("服务对象", "")}, testOptions(), 2, "服务对象", "服务对象"},
		{"unknown audience", []row{meal.with("服务对象", "残疾人")}, testOptions(), 2, "服务对象", "不是可选值"},
		{"capacity not a number", []row{meal.with("服务容量", "很多")}, testOptions(), 2, "服务容量", "整数"},
		{"capacity zero", []row{meal.with("服务容量", "0")}, testOptions(), 2, "服务容量", "1–100000"},
		{"ages reversed", []row{meal.with("最大年龄", "50")}, testOptions(), 2, "最大年龄", "不能小于"},
		{"types without disability only", []row{bath.with("仅限残疾人", "否")}, testOptions(), 2, "仅限残疾人", "限定残疾人"},
		{"unknown area place", []row{meal.with("服务范围", "610103099000")}, testOptions(), 2, "服务范围", "不存在"},
		{"end before start", []row{meal.with("有效期结束", "2024-12-31")}, testOptions(), 2, "有效期结束", "不能早于"},
		{"duplicate title", []row{meal, meal.with("服务描述", "另一描述")}, testOptions(), 3, "服务名称", "与第2行重复"},
		{"area outside scope", []row{meal}, scoped, 2, "服务范围", "管辖范围"},
		{"inherited area outside scope", []row{bath.with("服务方统一社会信用代码", districtCode)}, scoped, 2, "服务范围", "超出本人管辖范围"},
	})
}

func TestOfferingsPartial(t *testing.T) {
	opts := testOptions()
	opts.AllowPartial = true
	sink := providerSink(t)
	rep := importOfferings(t, sink, "o.xlsx", xlsxBytes(t, grid(Offerings, []row{meal.with("服务容量", "0"), bath}), nil), opts)
	if len(rep.Errors) != 1 || rep.Offerings != 1 || rep.Rejected != 1 || len(sink.offerings) != 1 {
		t.Errorf("report = %+v", rep)
	}
}
