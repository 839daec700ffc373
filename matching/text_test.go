package matching

import "testing"

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"lone character", "饭", 1},
		{"bigrams", "家政服务", 3},
		{"punctuation splits", "做饭，洗澡", 2},
		{"latin words fold case and width", "WiFi wifi ｗｉｆｉ", 1},
		{"single letters dropped", "a b c", 0},
		{"mixed", "学Excel表格", 3}, // 学, excel, 表格
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(tokens(tc.in)); got != tc.want {
				t.Fatalf("tokens(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// TestRelevance: "想学家政手艺" finds a target titled "家政服务技能培训"
// although a word segmenter would split 学家 off, and rare shared pairs
// count more than common ones.
func TestRelevance(t *testing.T) {
	targets := [][]uint64{tokens("家政服务技能培训"), tokens("社区服务 助餐"), tokens("上门服务 理发")}
	x := newIDF(targets)
	rel := func(need string, target int) float64 {
		ts := tokens(need)
		w, sum := x.weighted(ts)
		return relevance(ts, w, sum, targets[target])
	}
	if r := rel("想学家政手艺", 0); r <= 0 || r > 1 {
		t.Errorf("relevance to 家政 = %v", r)
	}
	if rel("想学家政手艺", 0) <= rel("想学家政手艺", 1) {
		t.Error("家政 should match the domestic-service training best")
	}
	// 服务 is in every target, 家政 in one: sharing only 服务 is worth less
	// than half of "家政 服务".
	if r := rel("家政 服务", 1); r <= 0 || r >= 0.5 {
		t.Errorf("relevance through a common pair = %v", r)
	}
	if r := rel("", 0); r != 0 {
		t.Errorf("empty words relevance = %v", r)
	}
	if r := rel("家政服务技能培训", 0); r != 1 {
		t.Errorf("identical text relevance = %v", r)
	}
}

func TestTokensBounded(t *testing.T) {
	long := make([]rune, 10*maxTextRunes)
	for i := range long {
		long[i] = rune(0x4e00 + i%5000)
	}
	if n := len(tokens(string(long))); n >= maxTextRunes {
		t.Fatalf("%d tokens from an over-long text", n)
	}
}
