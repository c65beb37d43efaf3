package demo

import (
	"fmt"
	"math/rand/v2"
)

// The names below are plausible, not real: the demo's communities, compounds,
// grids and people are invented (only the 11 streets and the district are
// real, from OpenStreetMap).

var stems1 = []string{"东", "西", "南", "北", "上", "下", "前", "后", "大", "小", "新", "金", "银", "翠", "青", "枣",
	"杨", "王", "李", "刘", "石", "河", "泉", "书", "文", "永", "安", "宁", "福", "兴", "华", "益", "和", "康", "乐", "庆"}
var stems2 = []string{"山", "岭", "庄", "河", "园", "湖", "泉", "水", "坡", "港", "桥", "台", "峰", "湾", "林", "苑",
	"埠", "院", "城", "川", "平", "源", "阳", "岗", "沟", "屯", "店", "家", "丰", "宁", "福", "和"}

var compoundSuffix = map[int][]string{
	kindWalkup:   {"小区", "新村", "宿舍区", "里", "小区"},
	kindHighrise: {"花园", "华府", "名苑", "家园", "御府", "公馆", "雅居", "国际"},
	kindVillage:  {"村"},
	kindDorm:     {"厂宿舍", "医院宿舍", "学校宿舍", "公司宿舍"},
}

var roads = []string{"京口路", "书院路", "九水路", "金水路", "青山路", "振华路", "四流中路", "永平路", "兴华路",
	"黑龙江中路", "重庆中路", "广水路", "巨峰路", "东川路", "兴城路", "向阳路", "湘潭路", "衡阳路", "文昌路", "汾阳路",
	"沔阳路", "宾川路", "峰山路", "虎山路", "升平路", "夏庄路", "枣山路", "南崂路", "大崂路", "青峰路", "安顺路",
	"九曲路", "沧台路", "永年路", "郑州路", "金液泉路", "遵义路", "娄山路", "铜川路", "绿城路", "楼山后路", "西山路"}

var enclaveKinds = []string{"中学", "小学", "实验学校", "机械厂", "纺织厂", "职业学院", "医院", "仓储中心", "橡胶厂", "印刷厂"}

// namer hands out unique place names.
type namer struct {
	rng  *rand.Rand
	used map[string]bool
}

func newNamer(rng *rand.Rand) *namer { return &namer{rng: rng, used: map[string]bool{}} }

func (n *namer) stem() string {
	for i := 0; ; i++ {
		s := pick(n.rng, stems1) + pick(n.rng, stems2)
		if i > 50 {
			s += pick(n.rng, stems2)
		}
		if i > 100 {
			s += fmt.Sprint(i)
		}
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

func (n *namer) community() string { return n.stem() + "社区" }

func (n *namer) compound(kind int) string {
	return pick(n.rng, stems1) + pick(n.rng, stems2) + pick(n.rng, compoundSuffix[kind])
}

// enclaveName names a school or factory compound that forms a grid of its own.
func enclaveName(rng *rand.Rand) string {
	return pick(rng, stems1) + pick(rng, stems2) + pick(rng, enclaveKinds)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// Surnames weighted roughly as in Shandong; given-name characters.
var surnames = []string{"王", "王", "王", "张", "张", "李", "李", "刘", "刘", "孙", "于", "杨", "赵", "陈", "徐",
	"姜", "高", "周", "林", "马", "宋", "曲", "邢", "崔", "韩", "薛", "郭", "胡", "臧", "纪", "隋", "宫", "栾", "毕"}
var given = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
	"明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "玉", "兰", "志", "鹏", "红", "海", "波", "宁",
	"晓", "雪", "婷", "斌", "琳", "欣", "浩", "宇", "梅", "东", "振", "立", "文", "凯", "燕", "倩"}

// personName returns a plausible Chinese name of two or three characters.
func personName(rng *rand.Rand) string {
	s := pick(rng, surnames) + pick(rng, given)
	if rng.IntN(10) < 7 {
		s += pick(rng, given)
	}
	return s
}

var phonePrefixes = []int{130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
	180, 181, 182, 183, 185, 186, 187, 188, 189}

// phones hands out unique 11-digit mobile numbers.
type phones struct {
	rng  *rand.Rand
	used map[string]bool
}

func (p *phones) next() string {
	for {
		s := fmt.Sprintf("%d%08d", pick(p.rng, phonePrefixes), p.rng.IntN(100_000_000))
		if !p.used[s] {
			p.used[s] = true
			return s
		}
	}
}
