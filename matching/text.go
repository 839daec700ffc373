package matching

import (
	"math"
	"slices"
	"unicode"
)

// Text relevance compares the resident's words with a target's text without
// a search server. Chinese has no spaces and a word segmenter needs a
// dictionary (and misreads "想学家政手艺" as 想/学家/政...), so the engine
// compares overlapping character pairs instead: "学家政" and "家政服务" share
// 家政 whatever the segmentation. Latin words and numbers count whole.
//
// Pairs are weighted by rarity across targets (inverse document frequency):
// sharing 家政 says more than sharing 服务, which every target contains.

// maxTextRunes bounds the text read per side, so that a long description
// cannot match everything and a huge input cannot stall the run.
const maxTextRunes = 2000

// tokens returns the sorted, de-duplicated token hashes of the texts.
func tokens(texts ...string) []uint64 {
	var out []uint64
	budget := maxTextRunes
	for _, s := range texts {
		var prevHan rune // previous Han character in the current run, 0 if none
		runLen := 0
		var word uint64 // FNV hash of the current Latin word or number
		wordLen := 0
		flush := func() {
			if wordLen >= 2 {
				out = append(out, word)
			}
			word, wordLen = fnvOffset, 0
		}
		word = fnvOffset
		for _, r := range s {
			if budget == 0 {
				break
			}
			budget--
			r = normaliseRune(r)
			switch {
			case unicode.Is(unicode.Han, r):
				flush()
				if prevHan != 0 {
					out = append(out, pairHash(prevHan, r))
				}
				prevHan = r
				runLen++
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if runLen == 1 {
					out = append(out, pairHash(prevHan, 0))
				}
				prevHan, runLen = 0, 0
				word = fnvRune(word, r)
				wordLen++
			default:
				if runLen == 1 {
					out = append(out, pairHash(prevHan, 0))
				}
				prevHan, runLen = 0, 0
				flush()
			}
		}
		// A lone character (饭, 澡) is a token by itself.
		if runLen == 1 {
			out = append(out, pairHash(prevHan, 0))
		}
		flush()
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// normaliseRune folds full-width ASCII (Ａ１) to half-width and lowercases,
// so that "WiFi", "wifi" and "ｗｉｆｉ" are the same word.
func normaliseRune(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	return unicode.ToLower(r)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvRune(h uint64, r rune) uint64 {
	for _, b := range [4]byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)} {
		h ^= uint64(b)
		h *= fnvPrime
	}
	return h
}

// pairHash hashes a character pair; a second rune of 0 is a lone character.
// The leading tag keeps pairs apart from Latin words.
func pairHash(a, b rune) uint64 { return fnvRune(fnvRune(fnvRune(fnvOffset, '\x01'), a), b) }

// idf holds each token's rarity weight across all targets.
type idf struct {
	weight map[uint64]float64
	// unseen is the weight of a token no target has: the rarest of all.
	unseen float64
}

// newIDF counts, for each token, how many targets contain it.
func newIDF(targetTokens [][]uint64) idf {
	df := map[uint64]int{}
	for _, ts := range targetTokens {
		for _, t := range ts {
			df[t]++
		}
	}
	n := float64(len(targetTokens))
	w := make(map[uint64]float64, len(df))
	for t, c := range df {
		w[t] = math.Log(1 + n/float64(c))
	}
	return idf{weight: w, unseen: math.Log(1 + n)}
}

// weighted pairs each token of a need with its weight and returns the total,
// which is relevance's denominator.
func (x idf) weighted(ts []uint64) ([]float64, float64) {
	ws := make([]float64, len(ts))
	total := 0.0
	for i, t := range ts {
		w, ok := x.weight[t]
		if !ok {
			w = x.unseen
		}
		ws[i] = w
		total += w
	}
	return ws, total
}

// relevance is the weighted share of the need's tokens that the target's
// text contains, in 0..1. It measures how much of what the resident said the
// target speaks to; a need with no words scores 0 everywhere, which changes
// no ranking. Both token lists are sorted, so one merge pass suffices, and
// the sum runs in token order, so the result is the same on every run.
func relevance(need []uint64, needW []float64, needTotal float64, target []uint64) float64 {
	if needTotal <= 0 {
		return 0
	}
	hit := 0.0
	i, j := 0, 0
	for i < len(need) && j < len(target) {
		switch {
		case need[i] < target[j]:
			i++
		case need[i] > target[j]:
			j++
		default:
			hit += needW[i]
			i++
			j++
		}
	}
	return math.Min(1, hit/needTotal)
}
