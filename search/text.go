package search

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"lianzhu/domain"
)

// Chinese text (ARCHITECTURE.md, "Rules that follow from the stack").
// Meilisearch segments Chinese with jieba, which cuts "想学家政手艺" into
// 想/学家/政/手艺 and so misses "家政". The catalogue teaches the index better:
//
//   - its names and synonyms form the index's dictionary, so that the
//     tokenizer keeps a catalogue word whole, in documents and queries alike;
//   - each item's names and synonyms form a synonym group;
//   - a whole catalogue phrase is one token ("家政服务技能培训"), so a query for
//     part of it ("家政培训") would miss it: every document therefore also
//     carries, in a low-ranked field, the catalogue words found inside its
//     item's phrases and the character bigrams of its Chinese text;
//   - queries go out with their catalogue words and bigrams first (see
//     vocab.query), and the matching strategy "last" drops the leftover
//     words from the end.

// maxSynonyms bounds a synonym group: each term of an item maps to at most
// this many others (the names first), which keeps query expansion small.
const maxSynonyms = 10

// longWordRunes is where Meilisearch starts to allow a typo (minWordSizeForTypos
// oneTypo); a typo in a Chinese catalogue phrase that long is a different
// phrase, so those phrases are exempt.
const longWordRunes = 5

// vocab is what the index learns from the service catalogue. It is built
// once and then only read.
type vocab struct {
	items  []domain.CatalogueItem
	byCode map[string]int
	// words are the Chinese names and synonyms, the dictionary.
	words    map[string]bool
	maxRunes int
	// inner holds each item's catalogue words found inside its phrases and
	// the bigrams of those phrases.
	inner map[string][]string
	// gramWeight weighs a bigram by how few items use it (rarer is stronger).
	gramWeight map[string]float64
	// placeGrams are the bigrams of place names (社区, 街道): in a query they
	// name a place, not a service, and are not moved to the front.
	placeGrams map[string]bool
	// phraseGrams holds each item's phrases as bigram sets, for the scorer.
	phraseGrams [][]phrase
}

// phrase is one name or synonym of an item, prepared for scoring: its
// bigrams, or for an English name its words.
type phrase struct {
	text  string
	grams []string
}

func newVocab(cat *domain.Catalogue, placeNames []string) *vocab {
	v := &vocab{items: cat.All(), byCode: map[string]int{}, words: map[string]bool{},
		inner: map[string][]string{}, gramWeight: map[string]float64{}, placeGrams: map[string]bool{}}
	for _, name := range placeNames {
		for _, g := range bigrams(name) {
			v.placeGrams[g] = true
		}
	}
	for i, it := range v.items {
		v.byCode[it.Code] = i
		for _, p := range chinesePhrases(it) {
			v.words[p] = true
			v.maxRunes = max(v.maxRunes, utf8.RuneCountInString(p))
		}
	}
	v.learnInner()
	v.phraseGrams = make([][]phrase, len(v.items))
	for i, it := range v.items {
		for _, p := range chinesePhrases(it) {
			v.phraseGrams[i] = append(v.phraseGrams[i], phrase{text: p, grams: bigrams(p)})
		}
		if en := strings.ToLower(it.NameEn); en != "" {
			v.phraseGrams[i] = append(v.phraseGrams[i], phrase{text: en, grams: latinWords(en)})
		}
	}
	return v
}

// learnInner finds each item's inner words (the other items' words inside
// its phrases, and their bigrams) and weighs the bigrams and the words of
// the English names.
func (v *vocab) learnInner() {
	itemsWithGram := map[string]int{}
	for _, it := range v.items {
		for _, w := range latinWords(it.NameEn) {
			itemsWithGram[w]++
		}
		phrases := chinesePhrases(it)
		var inner, grams []string
		for _, p := range phrases {
			for w := range v.words {
				if w != p && strings.Contains(p, w) && !slices.Contains(phrases, w) {
					inner = appendNew(inner, w)
				}
			}
			grams = appendNew(grams, bigrams(p)...)
		}
		sort.Strings(inner) // map order must not reach the index
		v.inner[it.Code] = appendNew(inner, grams...)
		for _, g := range grams {
			itemsWithGram[g]++
		}
	}
	for g, n := range itemsWithGram {
		// 1 for a bigram of one item, falling towards 0.2 for common ones.
		v.gramWeight[g] = max(0.2, 1/float64(n))
	}
}

// item returns the catalogue item with the code.
func (v *vocab) item(code string) (domain.CatalogueItem, bool) {
	i, ok := v.byCode[code]
	if !ok {
		return domain.CatalogueItem{}, false
	}
	return v.items[i], true
}

// dictionary returns the catalogue's Chinese words, sorted.
func (v *vocab) dictionary() []string {
	out := make([]string, 0, len(v.words))
	for w := range v.words {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// exactWords returns the dictionary words long enough for Meilisearch to
// allow a typo in them; typo tolerance is disabled on those.
func (v *vocab) exactWords() []string {
	var out []string
	for _, w := range v.dictionary() {
		if utf8.RuneCountInString(w) >= longWordRunes {
			out = append(out, w)
		}
	}
	return out
}

// synonyms maps each name and synonym of an item to the item's other names
// and synonyms, at most maxSynonyms of them, names first. A term that two
// items share gets both groups.
func (v *vocab) synonyms() map[string][]string {
	out := map[string][]string{}
	for _, it := range v.items {
		group := append([]string{it.NameZh, it.NameEn}, it.Synonyms...)
		group = slices.DeleteFunc(group, func(s string) bool { return strings.TrimSpace(s) == "" })
		for _, term := range group {
			others := out[term]
			for _, o := range group {
				if o != term && len(others) < maxSynonyms && !slices.Contains(others, o) {
					others = append(others, o)
				}
			}
			out[term] = others
		}
	}
	return out
}

// itemWords returns the low-ranked words a document of the item carries:
// the catalogue words inside the item's phrases and their bigrams, then the
// bigrams of the document's own texts.
func (v *vocab) itemWords(code string, texts ...string) []string {
	out := slices.Clone(v.inner[code])
	seen := make(map[string]bool, len(out)+32)
	for _, w := range out {
		seen[w] = true
	}
	for _, t := range texts {
		for _, g := range bigrams(t) {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// query prepares a search text: the catalogue words in it come first, then
// the catalogue's bigrams found in the rest (水管 of 修水管, but not 社区,
// which names places too; a bigram never takes the first character of a
// catalogue word), then the rest in its order. With the matching strategy
// "last" Meilisearch drops words from the end when too few documents match
// all of them, so a resident's filler ("我想学点") goes before the catalogue
// word ("家政") does. Words are found longest first at each position, as
// the tokenizer does with the dictionary.
func (v *vocab) query(q string) string {
	runes := []rune(strings.TrimSpace(q))
	var words, grams, rest []string
	start := 0
	cut := func(i, n int, into *[]string) {
		if start < i {
			rest = append(rest, string(runes[start:i]))
		}
		*into = appendNew(*into, string(runes[i:i+n]))
		start = i + n
	}
	for i := 0; i < len(runes); {
		switch {
		case v.wordAt(runes, i) > 0:
			n := v.wordAt(runes, i)
			cut(i, n, &words)
			i += n
		case i+1 < len(runes) && v.serviceGram(string(runes[i:i+2])) && v.wordAt(runes, i+1) == 0:
			cut(i, 2, &grams)
			i += 2
		default:
			i++
		}
	}
	if len(words)+len(grams) == 0 {
		return string(runes)
	}
	if start < len(runes) {
		rest = append(rest, string(runes[start:]))
	}
	return strings.Join(slices.Concat(words, grams, rest), " ")
}

// serviceGram reports whether a bigram belongs to the catalogue's phrases
// and not to place names.
func (v *vocab) serviceGram(g string) bool { return v.gramWeight[g] > 0 && !v.placeGrams[g] }

// wordAt returns the length in runes of the longest dictionary word that
// starts at runes[i], or 0.
func (v *vocab) wordAt(runes []rune, i int) int {
	for n := min(v.maxRunes, len(runes)-i); n >= 2; n-- {
		if v.words[string(runes[i:i+n])] {
			return n
		}
	}
	return 0
}

// scored is an item's score for a text.
type scored struct {
	code  string
	score float64
}

// score ranks the catalogue items for a text in process: for each name and
// synonym, the weighted share of its bigrams that the text contains (1 when
// the text contains the phrase whole), squared so that a fragment counts
// for little; an item's phrases combine as independent evidence
// (1 − Π(1 − 0.8·s)), which stays within 0..1. Items scoring (nearly) 0 are
// left out; the rest come best first.
func (v *vocab) score(text string) []scored {
	text = strings.ToLower(text)
	grams := map[string]bool{}
	for _, g := range bigrams(text) {
		grams[g] = true
	}
	for _, w := range latinWords(text) {
		grams[w] = true
	}
	var out []scored
	for i, it := range v.items {
		miss := 1.0
		for _, p := range v.phraseGrams[i] {
			c := v.cover(p, text, grams)
			miss *= 1 - phraseTrust*c*c
		}
		if s := 1 - miss; s > 0.001 {
			out = append(out, scored{code: it.Code, score: s})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out
}

// phraseTrust is how far one whole phrase in the text goes towards
// certainty: two phrases of the same item make it surer than one.
const phraseTrust = 0.8

// cover returns how much of phrase p the text holds, 0..1.
func (v *vocab) cover(p phrase, text string, grams map[string]bool) float64 {
	if strings.Contains(text, p.text) {
		return 1
	}
	var have, all float64
	for _, g := range p.grams {
		w := v.gramWeight[g]
		all += w
		if grams[g] {
			have += w
		}
	}
	if all == 0 {
		return 0
	}
	return have / all
}

// chinesePhrases returns the item's Chinese name and synonyms.
func chinesePhrases(it domain.CatalogueItem) []string {
	var out []string
	for _, p := range append([]string{it.NameZh}, it.Synonyms...) {
		if p = strings.TrimSpace(p); hasHan(p) {
			out = appendNew(out, p)
		}
	}
	return out
}

// bigrams returns the distinct character bigrams of the runs of Chinese
// characters in s, in order. A lone character gives none: single characters
// are what jieba leaves of filler, and would match everything.
func bigrams(s string) []string {
	var out []string
	var run []rune
	flush := func() {
		for i := 0; i+1 < len(run); i++ {
			out = appendNew(out, string(run[i:i+2]))
		}
		run = run[:0]
	}
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		flush()
	}
	flush()
	return out
}

// latinWords returns the distinct lower-case Latin words of three letters or
// more in s, without the function words of the catalogue's English names.
func latinWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		switch w {
		case "and", "for", "the", "with":
			continue
		}
		if len(w) >= 3 {
			out = appendNew(out, w)
		}
	}
	return out
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// appendNew appends the values not yet in list.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
