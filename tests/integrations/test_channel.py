"""A notice as robots and e-mail see it: title, body, footer, link; document text cannot forge markdown."""

from __future__ import annotations

import datetime as dt

from duban import clock
from duban.integrations.channel import ChannelKind, Notice, fit_bytes, md_escape, task_url
from duban.integrations.registry import display_target

AT = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai


def _notice(**changes: object) -> Notice:
    values: dict[str, object] = {
        "title": "【交办】落实专项资金拨付",
        "body": "请签收并办理：区财政局负责落实专项资金拨付工作。",
        "kind_label": "新交办任务",
        "created_at": AT,
        "url": "https://duban.example.gov.cn/tasks/12",
    }
    values.update(changes)
    return Notice(**values)  # type: ignore[arg-type]


def test_markdown_has_title_body_local_time_and_link() -> None:
    text = _notice().markdown()
    assert text.startswith("### 【交办】落实专项资金拨付\n")
    assert "请签收并办理：区财政局负责落实专项资金拨付工作。" in text
    assert "> 新交办任务 · 2026-03-02 09:30 · 督办系统" in text
    assert text.endswith("[查看任务](https://duban.example.gov.cn/tasks/12)")


def test_plain_text_for_mail_carries_the_link_spelled_out() -> None:
    text = _notice().text()
    assert text.splitlines()[0] == "【交办】落实专项资金拨付"
    assert "查看任务：https://duban.example.gov.cn/tasks/12" in text


def test_without_a_public_address_there_is_no_link() -> None:
    assert task_url(None, 12) is None
    assert task_url("https://duban.example.gov.cn/", 12) == "https://duban.example.gov.cn/tasks/12"
    assert task_url("https://duban.example.gov.cn", None) is None
    assert "查看任务" not in _notice(url=None).markdown()


def test_document_text_cannot_forge_links_or_headings() -> None:
    body = "见[通知](http://evil.example) <font color=red>紧急</font> # 标题 `代码` *粗*"
    text = _notice(body=body).markdown()
    assert "](http://evil.example)" not in text
    assert "<font" not in text
    assert "［通知］(http://evil.example) ＜font color=red＞紧急＜/font＞ ＃ 标题 ｀代码｀ ＊粗＊" in text
    assert md_escape("普通文字 2026年") == "普通文字 2026年"


def test_long_text_is_cut_on_a_character_boundary() -> None:
    text = "督" * 2000  # 6000 bytes
    cut = fit_bytes(text, 4096)
    assert len(cut.encode()) <= 4096 and cut.endswith("…")
    assert set(cut[:-1]) == {"督"}
    assert fit_bytes("短", 4096) == "短"


def test_webhook_keys_are_cut_short_for_display() -> None:
    base = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    assert (
        display_target(ChannelKind.WECOM, f"{base}?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
        == f"{base}?key=693a***"
    )
    assert display_target(ChannelKind.EMAIL, "a@example.cn, b@example.cn") == "a@example.cn, b@example.cn"


def test_footer_is_in_china_time_whatever_the_clock() -> None:
    assert clock.to_local(AT).hour == 9
