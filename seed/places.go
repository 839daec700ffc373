// Package seed holds Lianzhu's reference data (the service catalogue, the
// policy catalogue) and the deterministic demo district. It imports only
// domain; the same inputs always give the same data.
package seed

import (
	"fmt"

	"lianzhu/domain"
)

// DistrictCode is the demo district's 12-digit code. The demo district is
// modelled on Xi'an's 碑林区 (610103): eight streets in a dense old city
// centre. Community and compound names are invented.
const DistrictCode = "610103000000"

type streetSpec struct {
	code        string // 9-digit street prefix
	name        string
	lat, lng    float64
	communities []string
}

func streetSpecs() []streetSpec {
	return []streetSpec{
		{"610103001", "南院门街道", 34.2585, 108.9405, []string{"南院门", "五味什字", "大车家巷", "竹笆市", "马坊门", "四府街", "南广济街", "琉璃街"}},
		{"610103002", "柏树林街道", 34.2545, 108.9575, []string{"柏树林", "东木头市", "卧龙巷", "下马陵", "东县门", "开通巷", "建国路", "书院门", "三学街"}},
		{"610103003", "长乐坊街道", 34.2650, 108.9720, []string{"长乐坊", "东新街", "尚俭路", "景龙池", "东五路", "索罗巷", "炮房街"}},
		{"610103004", "东关南街街道", 34.2560, 108.9830, []string{"东关南街", "八仙庵", "长乐里", "兴庆路", "龙渠湾", "东仓门", "草场坡", "索罗巷东"}},
		{"610103005", "太乙路街道", 34.2440, 108.9760, []string{"太乙路", "东梢门", "建东街", "互助路", "铁路新村", "雁塔北路", "友谊东路", "咸宁西路"}},
		{"610103006", "文艺路街道", 34.2430, 108.9600, []string{"文艺路", "南关正街", "建设路", "体育场", "红缨路", "兴庆南路", "友谊路"}},
		{"610103007", "长安路街道", 34.2330, 108.9480, []string{"长安路", "南稍门", "省体育场", "小雁塔", "友谊西路", "含光门", "东木头市南"}},
		{"610103008", "张家村街道", 34.2370, 108.9320, []string{"张家村", "西北工大", "劳动路", "含光路", "西安交大南", "友谊西路西", "沙坡"}},
	}
}

var compoundNames = []string{"家属院", "小区", "公寓", "花园", "新村", "院", "大厦"}
var compoundPrefixes = []string{"锦绣", "春晖", "和平", "建工", "电力", "铁路", "西电", "省委", "邮电", "纺织", "文苑", "丰庆"}

// Places returns the demo district's place tree: the district, its eight
// streets, their communities and each community's compounds (4–6 each, every
// one a need sentinel except every seventh), with approximate centres.
func Places() []domain.Place {
	out := []domain.Place{{Code: DistrictCode, Name: "碑林区", Level: domain.LevelDistrict, Lat: 34.2500, Lng: 108.9580}}
	for si, st := range streetSpecs() {
		streetCode := st.code + "000"
		out = append(out, domain.Place{Code: streetCode, Name: st.name, Level: domain.LevelStreet, Parent: DistrictCode, Lat: st.lat, Lng: st.lng})
		for ci, cname := range st.communities {
			commCode := fmt.Sprintf("%s%03d", st.code, ci+1)
			clat := st.lat + float64((ci%3)-1)*0.0035
			clng := st.lng + float64((ci/3)-1)*0.0040
			out = append(out, domain.Place{Code: commCode, Name: cname + "社区", Level: domain.LevelCommunity, Parent: streetCode, Lat: round6(clat), Lng: round6(clng)})
			n := 4 + (si+ci)%3
			for k := 0; k < n; k++ {
				seq := si*100 + ci*10 + k
				name := compoundPrefixes[seq%len(compoundPrefixes)] + compoundNames[(seq/3)%len(compoundNames)]
				if k > 0 && name == out[len(out)-1].Name {
					name = fmt.Sprintf("%s%d号院", cname, k+1)
				}
				out = append(out, domain.Place{
					Code: fmt.Sprintf("%s%03d", commCode, k+1), Name: name, Level: domain.LevelCompound, Parent: commCode,
					Sentinel: seq%7 != 6,
					Lat:      round6(clat + float64(k%2)*0.0011 - 0.0005), Lng: round6(clng + float64(k/2)*0.0010 - 0.0010),
				})
			}
		}
	}
	return out
}

// StreetCodes returns the 12-digit codes of the demo district's streets.
func StreetCodes() []string {
	specs := streetSpecs()
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.code + "000"
	}
	return out
}

func round6(f float64) float64 {
	return float64(int64(f*1e6+0.5)) / 1e6
}
