package search_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"lianzhu/search"
	"lianzhu/seed"
)

// residentPhrasings are things residents say to a sentinel or on the
// hotline, with the catalogue item that should be among the top three.
func residentPhrasings() []struct{ text, want string } {
	return []struct{ text, want string }{
		{"老伴走了以后一个人在家，想有人陪着说说话", "companionship"},
		{"我腿脚不好，洗澡的时候怕摔，想找人帮忙洗个澡", "bathing"},
		{"年纪大了做不动饭，中午想有个地方吃口热饭", "meal"},
		{"下个月要去医院复查，孩子在外地，没人陪我去", "medical_escort"},
		{"厨房水管漏水好几天了，找不到人来修", "repair"},
		{"我想学家政手艺，以后好找个活干", "housekeeping_training"},
		{"孩子放学后没人管，作业也没人辅导", "tutoring"},
		{"最近总是睡不着觉，心里难受，想找人聊聊", "counselling"},
		{"老伴瘫痪在床，我一个人照顾太累了，想歇几天", "respite"},
		{"想申请低保，不知道怎么填表", "application_help"},
		{"家里卫生间太滑，想装个扶手", "age_friendly_adaptation"},
		{"失业半年了，想找份工作", "job_placement"},
		{"不会用智能手机，想学学怎么视频通话", "digital_skills"},
		{"My mother needs help with bathing", "bathing"},
	}
}

func TestSuggest(t *testing.T) {
	x := fixtureIndexes(t)
	for _, tc := range residentPhrasings() {
		t.Run(tc.want, func(t *testing.T) {
			got, err := x.Suggest(context.Background(), tc.text, 5)
			if err != nil {
				t.Fatal(err)
			}
			checkSuggestions(t, tc.text, tc.want, got)
		})
	}
}

// TestSuggestWithoutMeilisearch: the in-process scorer answers alone, and
// as well, when Meilisearch is gone.
func TestSuggestWithoutMeilisearch(t *testing.T) {
	// A server that says it is Meilisearch, for Connect, and then is gone:
	// the client points at a closed port.
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"pkgVersion":"1.21.0"}`))
	}))
	c := mustConnect(t, gone.URL, "0123456789abcdef")
	gone.Close()
	x := search.NewIndexes(c, "s_", seed.Catalogue(), mustPlaces(t, seed.Places()))
	for _, tc := range residentPhrasings() {
		got, err := x.Suggest(context.Background(), tc.text, 5)
		if err != nil {
			t.Fatalf("%s: %v", tc.text, err)
		}
		checkSuggestions(t, tc.text, tc.want, got)
	}
}

func checkSuggestions(t *testing.T, text, want string, got []search.Suggestion) {
	t.Helper()
	codes := make([]string, len(got))
	for i, s := range got {
		codes[i] = s.Code
		if s.Score <= 0 || s.Score > 1 || i > 0 && s.Score > got[i-1].Score {
			t.Errorf("%s: scores out of range or order: %+v", text, got)
		}
	}
	if !slices.Contains(codes[:min(3, len(codes))], want) {
		t.Errorf("%s: top three %v lack %s (%+v)", text, codes[:min(3, len(codes))], want, got)
	}
}

func TestSuggestShape(t *testing.T) {
	x := fixtureIndexes(t)
	got, err := x.Suggest(context.Background(), "洗不了澡", 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("Suggest: %+v, %v", got, err)
	}
	raw, _ := json.Marshal(got[0])
	if !strings.HasPrefix(string(raw), `{"code":"bathing","name_zh":"助浴","name_en":"Bathing assistance","tier":"basic","score":`) {
		t.Fatalf("wire shape: %s", raw)
	}
	for _, text := range []string{"", "，。！", "12345"} {
		if got, err := x.Suggest(context.Background(), text, 5); err != nil || len(got) != 0 {
			t.Errorf("%q: %+v, %v", text, got, err)
		}
	}
}
