package search

import "github.com/meilisearch/meilisearch-go"

// Index settings, chosen per kind. Every index shares the Chinese handling
// of text.go; they differ in which fields are searched (most telling first:
// the attribute ranking rule prefers a match in an earlier field) and which
// can be filtered and sorted.

// rankingRules put the requested sort (distance to "near", urgency) right
// after the words matched and their typos: among offerings that all match
// "洗澡" the nearest should come first, before finer text signals such as
// proximity or which field matched.
func rankingRules() []string {
	return []string{"words", "typo", "sort", "proximity", "attribute", "exactness"}
}

// fields returns the searchable, filterable and sortable attributes of the
// index of kind.
func fields(kind string) (search, filter, sort []string) {
	switch kind {
	case KindOffering:
		// area: the places an offering serves; area_up: those and every
		// place above them (see offeringArea).
		return []string{"title", "category_name", "item_en", "item_terms", "provider_name", "description", "item_words"},
			[]string{"item", "status", "area", "area_up", "_geo"},
			[]string{"_geo"}
	case KindJob:
		return []string{"title", "kind_of_work", "category_name", "item_en", "skills", "item_terms", "enterprise_name",
				"training", "item_words"},
			[]string{"item", "status", "place_up", "_geo"},
			[]string{"_geo", "created_at"}
	case KindNeed:
		// A need is searched by its neutral note (its title) and its item:
		// the index holds nothing else about it.
		return []string{"title", "category_name", "item_en", "item_terms", "item_words"},
			[]string{"item", "status", "place_up", "urgency", "_geo"},
			[]string{"_geo", "urgency_rank", "created_at"}
	}
	return []string{"name_zh", "name_en", "synonyms", "words"}, []string{"tier"}, nil
}

// englishFields hold the catalogue's English names; every other text is
// Chinese.
func englishFields() []string { return []string{"item_en", "name_en"} }

// settings returns the settings of the index of kind.
func (x *Indexes) settings(kind string) *meilisearch.Settings {
	disabled := "disabled"
	search, filter, sort := fields(kind)
	return &meilisearch.Settings{
		RankingRules:         rankingRules(),
		SearchableAttributes: search,
		FilterableAttributes: filter,
		SortableAttributes:   sort,
		Dictionary:           x.voc.dictionary(),
		Synonyms:             x.voc.synonyms(),
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled: true,
			// Meilisearch's defaults, stated: they only ever apply to Latin
			// words and to Chinese phrases of five or more characters, and
			// the catalogue's phrases are exempt (a one-character "typo"
			// in Chinese is another word).
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      x.voc.exactWords(),
			DisableOnAttributes: []string{},
			// 24小时 is not 25小时.
			DisableOnNumbers: true,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
		// Han text alone could be taken for Japanese and cut by another
		// segmenter; every text here is Chinese except the English names.
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{AttributePatterns: englishFields(), Locales: []string{"eng"}},
			{AttributePatterns: []string{"*"}, Locales: []string{"cmn"}},
		},
		// Prefix search completes the last query word; with whole catalogue
		// phrases as single tokens it let "保洁" match "保洁培训" as well as
		// "保洁" itself, and rank them alike. People type Chinese whole
		// characters at a time; the bigram field covers parts of phrases.
		PrefixSearch: &disabled,
	}
}
