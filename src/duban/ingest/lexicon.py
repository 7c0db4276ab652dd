"""Word lists about how Chinese names are written, shared by the normalizer and the extractors."""

from __future__ import annotations

SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席"
    "季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁"
    "宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌"
    "焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印"
    "宿白怀蒲邰鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛"
    "寿边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容古易慎戈廖庾终暨居衡步耿满弘匡寇广禄"
    "阙欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶曾毋沙乜鞠丰巢关蒯查荆游竺权逯盖益桓"
    "闫付肖兰覃库官代佘苟菅仝占种粟揭练檀岳帅邸员晋冼亢户豆母智候牟雒栗朴麦邝植郄贠凡"
)
COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 令狐 慕容 司徒 夏侯 宇文 长孙 端木 西门 南宫 独孤 "
    "呼延 轩辕 澹台 申屠 百里 闻人 赫连 钟离 公羊 濮阳 淳于 单于 太叔 仲孙 鲜于 闾丘 司空 亓官 "
    "司寇 左丘 东郭 拓跋 第五"
)
# Less common surnames seen in rosters; too ambiguous for names LAC has not tagged, fine in roster lines.
ROSTER_SURNAMES = "丛亓但位佟信修公况冶初区南卿原向呼和哈商国奉宾尉尧展战敬文斯普来楚楼海涂漆玉由盘相芦苑衣谌赫辜迟都鄢银门闭阳阿隋鲜鹿"
SURNAME_SET = frozenset(SURNAMES)
ROSTER_SURNAME_SET = SURNAME_SET | frozenset(ROSTER_SURNAMES)
