package seed

import (
	"fmt"
	"strings"

	"lianzhu/domain"
)

// DemoMaxScale bounds DemoOptions.Scale: copy k of the district gets the
// district code 6198kk.
const DemoMaxScale = 99

// Scale K means K districts, not K times the providers in one district: a
// whole city is many districts, each with its own streets, and a benchmark
// that packs ten times the NGOs into the same eight streets measures a city
// that does not exist (every need would see ten times the candidates). Copy 0
// is the demo district itself; copy k ≥ 1 is generated from its own seed and
// relocated to district code 6198kk (a prefix assigned to no place), its ID
// numbers to area 6199(k+1), and its map position k%10 degrees north and k/10
// degrees east, so no service area reaches from one copy into another.

// ScaledPlaces returns the place trees of every copy at the scale.
func ScaledPlaces(scale int) []domain.Place {
	if scale < 1 {
		scale = 1
	}
	out := Places()
	for k := 1; k < scale; k++ {
		for _, p := range Places() {
			p.Code, p.Parent = relocateCode(p.Code, k), relocateCode(p.Parent, k)
			if p.Level == domain.LevelDistrict {
				p.Name = fmt.Sprintf("示范区%d", k+1)
			}
			p.Lat, p.Lng = shiftLat(p.Lat, k), shiftLng(p.Lng, k)
			out = append(out, p)
		}
	}
	return out
}

func districtPrefix(k int) string { return fmt.Sprintf("6198%02d", k) }

func relocateCode(code string, k int) string {
	if rest, ok := strings.CutPrefix(code, DistrictCode[:6]); ok {
		return districtPrefix(k) + rest
	}
	return code
}

func shiftLat(lat float64, k int) float64 { return lat + float64(k%10) }
func shiftLng(lng float64, k int) float64 { return lng + float64(k/10) }

func shiftPoint(l *domain.LatLng, k int) *domain.LatLng {
	if l == nil {
		return nil
	}
	return &domain.LatLng{Lat: shiftLat(l.Lat, k), Lng: shiftLng(l.Lng, k)}
}

func relocateArea(a domain.ServiceArea, k int) domain.ServiceArea {
	out := domain.ServiceArea{Center: shiftPoint(a.Center, k), RadiusM: a.RadiusM}
	for _, p := range a.Places {
		out.Places = append(out.Places, relocateCode(p, k))
	}
	return out
}

// relocate moves a generated copy of the district to copy k: place codes,
// positions, IDs (tagged d<k+1>-), ID numbers and credit codes (with their
// check characters recomputed). Accounts are made afterwards for the whole
// city.
func relocate(d *District, k int) error {
	tag := fmt.Sprintf("d%02d-", k+1)
	idArea := fmt.Sprintf("6199%02d", k+1)
	for i := range d.Households {
		h := &d.Households[i]
		h.ID, h.Place, h.Location = tag+h.ID, relocateCode(h.Place, k), shiftPoint(h.Location, k)
		for j := range h.Members {
			m := &h.Members[j]
			if m.IDNumber == "" {
				continue
			}
			id, err := domain.CompleteIDNumber(idArea + m.IDNumber[6:17])
			if err != nil {
				return fmt.Errorf("seed: relocate ID number: %w", err)
			}
			m.IDNumber, m.IDMasked = id, domain.MaskIDNumber(id)
		}
	}
	for i := range d.Needs {
		n := &d.Needs[i]
		n.ID, n.HouseholdID, n.Place = tag+n.ID, tag+n.HouseholdID, relocateCode(n.Place, k)
		n.CreatedBy = strings.Replace(n.CreatedBy, DistrictCode[:6], districtPrefix(k), 1)
		if n.WarningID != "" {
			n.WarningID = tag + n.WarningID
		}
	}
	for i := range d.Providers {
		p := &d.Providers[i]
		p.ID, p.Place, p.Area = tag+p.ID, relocateCode(p.Place, k), relocateArea(p.Area, k)
		if p.CreditCode != "" {
			code, err := domain.CompleteUSCC(p.CreditCode[:2] + districtPrefix(k) + p.CreditCode[8:17])
			if err != nil {
				return fmt.Errorf("seed: relocate credit code: %w", err)
			}
			p.CreditCode = code
		}
	}
	for i := range d.Offerings {
		o := &d.Offerings[i]
		o.ID, o.ProviderID, o.Area = tag+o.ID, tag+o.ProviderID, relocateArea(o.Area, k)
		for j, pl := range o.Audience.Places {
			o.Audience.Places[j] = relocateCode(pl, k)
		}
	}
	for i := range d.Jobs {
		j := &d.Jobs[i]
		j.ID, j.EnterpriseID, j.Place = tag+j.ID, tag+j.EnterpriseID, relocateCode(j.Place, k)
	}
	for i := range d.Volunteers {
		d.Volunteers[i].ProviderID = tag + d.Volunteers[i].ProviderID
	}
	return nil
}
