"""Unit names: found in sentences by their suffix, resolved through a registry of aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.ingest.extract.units import UnitRegistry, canonical_key, find_units


def names(text: str) -> list[str]:
    return [u.name for u in find_units(text)]


def test_reporting_unit_is_cut_from_the_words_before_it() -> None:
    text = "会议听取了自然资源和规划分局关于土地收储工作有关情况汇报。"
    [unit] = find_units(text)
    assert unit.name == "自然资源和规划分局"
    assert text[unit.span.start : unit.span.end] == "自然资源和规划分局"


def test_two_units_joined_by_huitong_are_both_found() -> None:
    assert names("招商局会同财政局要进一步对照政策、认真核查。") == ["招商局", "财政局"]


def test_a_post_after_the_unit_is_not_part_of_it() -> None:
    text = "区招商投资发展局局长王强汇报了一季度招商工作。"
    assert names(text) == ["区招商投资发展局"]


def test_unit_names_keep_their_administrative_prefix() -> None:
    assert names("由区财政局负责拨付，付至市财政局指定账户。") == ["区财政局", "市财政局"]


def test_units_listed_with_dunhao_are_found_one_by_one() -> None:
    assert names("金桥办事处、古城街道办事处要牵头组织实施。") == ["金桥办事处", "古城街道办事处"]


def test_a_longer_name_containing_a_shorter_one_is_kept_whole() -> None:
    assert names("王德敏到石佛园区运营中心实地调研。") == ["石佛园区运营中心"]


def test_words_ending_like_a_unit_are_not_units() -> None:
    assert names("推动形成全区工作新格局，把中心工作抓实抓好，按时办结。") == []


def test_units_are_searched_only_inside_the_window() -> None:
    text = "区财政局负责资金保障，区审计局负责审计监督。"
    start = text.index("区审计局")
    assert [u.name for u in find_units(text, start)] == ["区审计局"]


def test_emergency_management_bureau_without_prefix_is_a_unit() -> None:
    assert names("会议听取了应急管理局关于安全生产大排查工作有关情况汇报。") == ["应急管理局"]


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("区经济发展局", id="economic-development-bureau"),
        pytest.param("区城市管理和综合执法局", id="urban-management-and-enforcement-bureau"),
        pytest.param("区政务服务中心", id="government-service-center"),
        pytest.param("区纪检监察工作委员会", id="discipline-inspection-work-committee"),
        pytest.param("区住房和城乡建设局", id="housing-bureau"),
        pytest.param("区人力资源和社会保障局", id="human-resources-bureau"),
        pytest.param("区机关事务管理局", id="government-offices-bureau"),
        pytest.param("区纪检监察工委", id="discipline-inspection-committee"),
    ],
)
def test_common_unit_names_are_found_whole(unit: str) -> None:
    assert names(f"由{unit}负责组织实施。") == [unit]


def test_clause_number_before_a_unit_is_not_part_of_its_name() -> None:
    assert names("（一）区市场监管局要加强食品安全监管。") == ["区市场监管局"]


# ---------------------------------------------------------------- registry


def test_canonical_key_drops_the_administrative_prefix() -> None:
    assert canonical_key("区财政局") == canonical_key("市财政局") == canonical_key("财政局") == "财政局"
    assert canonical_key("中共区纪工委") == "纪工委"


def test_lookup_ignores_the_administrative_prefix() -> None:
    registry = UnitRegistry()
    finance = registry.add("财政局")
    assert registry.resolve("区财政局") is finance
    assert registry.resolve("市财政局") is finance


def test_adding_a_prefixed_form_of_a_known_unit_adds_an_alias_not_a_unit() -> None:
    registry = UnitRegistry()
    registry.add("财政局")
    registry.add("区财政局")
    [unit] = registry.units
    assert unit.aliases == {"财政局", "区财政局"}


def test_short_form_resolves_to_the_unique_full_name() -> None:
    registry = UnitRegistry()
    registry.add("招商投资发展局")
    registry.add("财政金融局")
    assert registry.resolve("招商局").name == "招商投资发展局"  # type: ignore[union-attr]
    assert registry.resolve("区招商局").name == "招商投资发展局"  # type: ignore[union-attr]


def test_short_form_matching_two_units_resolves_to_none() -> None:
    registry = UnitRegistry()
    registry.add("招商投资发展局")
    registry.add("招商服务发展局")
    assert registry.resolve("招商局") is None


def test_unknown_unit_resolves_to_none() -> None:
    registry = UnitRegistry()
    registry.add("财政局")
    assert registry.resolve("税务局") is None


def test_alias_file_gives_one_unit_per_line_and_skips_comments(tmp_path: Path) -> None:
    aliases = tmp_path / "units.txt"
    aliases.write_text(
        "# 区直部门\n招商投资发展局 = 招商局 = 投促局\n\n财政金融局\n自然资源和规划分局 = 自规分局  # 简称\n",
        encoding="utf-8",
    )
    registry = UnitRegistry()
    registry.load_alias_file(aliases)
    assert [u.name for u in registry.units] == ["招商投资发展局", "财政金融局", "自然资源和规划分局"]
    assert registry.resolve("投促局").name == "招商投资发展局"  # type: ignore[union-attr]
    assert registry.resolve("区自规分局").name == "自然资源和规划分局"  # type: ignore[union-attr]
    assert registry.resolve("简称") is None


def test_abbreviation_declared_in_the_text_is_learned() -> None:
    registry = UnitRegistry()
    registry.learn_from_text(
        "驻马店市爱国卫生运动委员会办公室（以下简称市爱卫办）具体负责组织、协调、检查工作。"
        "市城市管理局（以下简称“市城管局”）负责市容环境卫生。"
    )
    office = registry.resolve("市爱卫办")
    assert office is not None
    assert office.name == "驻马店市爱国卫生运动委员会办公室"
    assert registry.resolve("爱卫办") is office
    assert registry.resolve("市城管局").name == "市城市管理局"  # type: ignore[union-attr]


def test_abbreviation_right_after_an_article_number_learns_the_unit_name_only() -> None:
    registry = UnitRegistry()
    registry.learn_from_text(
        "第六条驻马店市爱国卫生运动委员会（以下简称市爱卫会）负责本市国家卫生城市管理工作。"
    )
    assert registry.resolve("市爱卫会").name == "驻马店市爱国卫生运动委员会"  # type: ignore[union-attr]


def test_mentions_are_added_once_per_unit() -> None:
    registry = UnitRegistry()
    registry.add_mentions(["区财政局", "财政局", "市财政局", "区审计局"])
    assert len(registry.units) == 2
