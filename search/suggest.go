package search

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// Suggestion is a catalogue item ranked for a resident's words; Score is
// in 0..1, higher is better.
type Suggestion struct {
	Code   string      `json:"code"`
	NameZh string      `json:"name_zh"`
	NameEn string      `json:"name_en"`
	Tier   domain.Tier `json:"tier"`
	Score  float64     `json:"score"`
}

const (
	defaultSuggestions = 5
	// suggestTimeout bounds the Meilisearch half of Suggest: past it the
	// in-process half answers alone.
	suggestTimeout = 2 * time.Second
	// localWeight is the in-process scorer's share of a suggestion's score
	// when Meilisearch answers too.
	localWeight = 0.5
	// minSuggestScore leaves out items that share only a stray character
	// pair with the text.
	minSuggestScore = 0.02
)

// Suggest ranks catalogue items for a resident's own words, best first, at
// most limit of them (0: 5). It blends Meilisearch's ranking score over the
// catalogue index (which brings the tokenizer, the synonym groups and typo
// tolerance for English) with the in-process bigram scorer (see
// vocab.score). When Meilisearch is down or slow the in-process scorer
// answers alone, so Suggest does not fail for want of Meilisearch.
func (x *Indexes) Suggest(ctx context.Context, text string, limit int) ([]Suggestion, error) {
	if limit <= 0 {
		limit = defaultSuggestions
	}
	text = strings.TrimSpace(text)
	if !hasHan(text) && len(latinWords(text)) == 0 {
		return []Suggestion{}, nil
	}
	scores := map[string]float64{}
	for _, s := range x.voc.score(text) {
		scores[s.code] = s.score
	}
	if remote, err := x.suggestRemote(ctx, text); err == nil {
		for code := range remote {
			if _, ok := scores[code]; !ok {
				scores[code] = 0
			}
		}
		for code, local := range scores {
			scores[code] = localWeight*local + (1-localWeight)*remote[code]
		}
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	out := make([]Suggestion, 0, limit)
	for _, it := range x.voc.items {
		if s := scores[it.Code]; s >= minSuggestScore {
			out = append(out, Suggestion{Code: it.Code, NameZh: it.NameZh, NameEn: it.NameEn, Tier: it.Tier,
				Score: math.Round(s*1000) / 1000})
		}
	}
	// Stable: equal scores keep catalogue order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out[:min(limit, len(out))], nil
}

// suggestRemote returns Meilisearch's ranking score of each catalogue item
// for the text. The matching strategy is "frequency": a resident's sentence
// is long, and the words that tell items apart are the rare ones.
func (x *Indexes) suggestRemote(ctx context.Context, text string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, suggestTimeout)
	defer cancel()
	resp, err := x.c.ms.Index(x.IndexName(kindCatalogue)).Search(ctx, x.voc.query(text), &meilisearch.SearchRequest{
		Limit: int64(len(x.voc.items)), AttributesToRetrieve: []string{"id"}, ShowRankingScore: true,
		MatchingStrategy: meilisearch.Frequency, Locales: []string{"cmn", "eng"},
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(resp.Hits))
	for _, h := range resp.Hits {
		var d struct {
			ID    string  `json:"id"`
			Score float64 `json:"_rankingScore"`
		}
		if err := h.DecodeInto(&d); err != nil {
			return nil, err
		}
		out[d.ID] = d.Score
	}
	return out, nil
}
