package search

import (
	"slices"
	"testing"

	"lianzhu/seed"
)

func TestVocabQuery(t *testing.T) {
	v := newVocab(seed.Catalogue(), placeNames())
	for _, tc := range []struct{ in, want string }{
		{"想学家政手艺", "想学家政手艺"},    // a synonym, whole
		{"我想学点家政", "家政 想学 我 点"}, // the catalogue word first, then a catalogue bigram
		{"老人洗澡", "洗澡 老人"},
		{"修水管", "水管 修"},
		{"南院门社区", "南院门社区"}, // nothing of the catalogue: as typed
		{"bathing", "bathing"},
		{"  助浴  ", "助浴"},
	} {
		if got := v.query(tc.in); got != tc.want {
			t.Errorf("query(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBigrams(t *testing.T) {
	got := bigrams("助浴服务 (上门) 助浴a洗")
	want := []string{"助浴", "浴服", "服务", "上门"}
	if !slices.Equal(got, want) {
		t.Fatalf("bigrams = %q, want %q", got, want)
	}
}

func TestVocabSynonymsStaySmall(t *testing.T) {
	v := newVocab(seed.Catalogue(), placeNames())
	syn := v.synonyms()
	if got := syn["洗澡"]; len(got) == 0 || got[0] != "助浴" || got[1] != "Bathing assistance" {
		t.Fatalf("洗澡 → %q", got)
	}
	for term, others := range syn {
		if len(others) > maxSynonyms || slices.Contains(others, term) {
			t.Errorf("%s → %q", term, others)
		}
	}
}

func TestVocabItemWords(t *testing.T) {
	v := newVocab(seed.Catalogue(), placeNames())
	words := v.itemWords("housekeeping_training", "金牌月嫂班")
	// 家政 and 保洁 are words of the cleaning item found inside this item's
	// phrases; 培训 a bigram of them; 月嫂 of the document's own title.
	for _, w := range []string{"家政", "保洁", "培训", "月嫂", "嫂班"} {
		if !slices.Contains(words, w) {
			t.Errorf("item words lack %s: %q", w, words)
		}
	}
	if slices.Contains(words, "学家政") {
		t.Error("an item's own synonym repeated in its item words")
	}
}

func TestVocabScore(t *testing.T) {
	v := newVocab(seed.Catalogue(), placeNames())
	got := v.score("洗不了澡")
	if len(got) == 0 || got[0].code != "bathing" || got[0].score <= 0 || got[0].score >= 1 {
		t.Fatalf("score(洗不了澡) = %+v", got)
	}
	if got := v.score("今天天气不错"); len(got) > 0 && got[0].score > 0.2 {
		t.Fatalf("an unrelated sentence scores %+v", got[0])
	}
}

func placeNames() []string {
	var out []string
	for _, p := range seed.Places() {
		out = append(out, p.Name)
	}
	return out
}
