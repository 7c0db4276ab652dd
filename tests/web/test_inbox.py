"""消息 in the browser: each user's own inbox, unread in bold, mark read, open, and the top-bar badge."""

from __future__ import annotations

from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.session import write_session
from duban.workflow import notify
from duban.workflow.notify import MessageKind
from tests.personas import World, add_task
from tests.webclient import ClientFactory


def _say(engine: Engine, title: str, unit_id: int | None, task_id: int | None = None) -> int:
    with write_session(engine) as s:
        message = notify.enqueue(
            s, MessageKind.REMINDER, title, "请抓紧办理。", unit_id=unit_id, task_id=task_id
        )
        s.flush()
        return message.id


def test_a_unit_user_sees_only_their_units_messages(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    _say(engine, "【催办】财政局的任务", world.unit_a)
    _say(engine, "【催办】住建局的任务", world.unit_b)
    _say(engine, "【待验收】督查室的消息", None)
    page = client_for(world.unit_a_user).get("/inbox")
    assert page.status_code == 200
    assert "【催办】财政局的任务" in page.text
    assert "住建局的任务" not in page.text and "督查室的消息" not in page.text
    office = client_for(world.supervisor).get("/inbox").text
    assert "【待验收】督查室的消息" in office and "财政局的任务" not in office


def test_the_inbox_needs_a_sign_in(client_for: ClientFactory) -> None:
    response = client_for(None).get("/inbox")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_assignment_is_in_the_inbox_right_after_it_is_made(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        task_id = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)]).id
    response = client_for(world.supervisor).post(f"/api/v1/tasks/{task_id}/assign", json={})
    assert response.status_code == 200
    page = client_for(world.unit_a_user).get("/inbox").text
    assert "【交办】区财政局负责落实专项资金拨付工作。" in page
    assert 'class="inbox-item unread"' in page


def test_unread_messages_are_bold_until_read(client_for: ClientFactory, engine: Engine, world: World) -> None:
    first = _say(engine, "第一条", world.unit_a)
    _say(engine, "第二条", world.unit_a)
    client = client_for(world.unit_a_user)
    page = client.get("/inbox").text
    assert page.count('class="inbox-item unread"') == 2 and "（未读 2）" in page
    response = client.post(f"/inbox/{first}/read", data={"back": "/inbox?unread=1"})
    assert response.status_code == 303 and response.headers["location"] == "/inbox?unread=1"
    unread_only = client.get("/inbox?unread=1").text
    assert "第二条" in unread_only and "第一条" not in unread_only
    assert f'id="message-{first}"' in client.get("/inbox").text
    assert 'class="inbox-item read" id="message-' + str(first) in client.get("/inbox").text


def test_all_read_clears_the_badge(client_for: ClientFactory, engine: Engine, world: World) -> None:
    for n in range(3):
        _say(engine, f"消息{n}", world.unit_a)
    client = client_for(world.unit_a_user)
    badge = client.get("/inbox/badge", headers={"HX-Request": "true"}).text
    assert '<b class="count" aria-label="未读 3 条">3</b>' in badge
    response = client.post("/inbox/read-all", data={"back": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/inbox"
    assert "已将 3 条消息标为已读" in client.get("/inbox").text
    assert 'class="count"' not in client.get("/inbox/badge").text


def test_opening_a_message_marks_it_read_and_goes_to_the_task(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        task_id = add_task(s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)]).id
    message = _say(engine, "【催办】去任务", world.unit_a, task_id)
    client = client_for(world.unit_a_user)
    response = client.post(f"/inbox/{message}/open")
    assert response.status_code == 303 and response.headers["location"] == f"/tasks/{task_id}"
    assert "（未读" not in client.get("/inbox").text


def test_another_units_message_cannot_be_marked(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    theirs = _say(engine, "住建局的", world.unit_b)
    assert client_for(world.unit_a_user).post(f"/inbox/{theirs}/read").status_code == 404


def test_marking_read_needs_the_csrf_token(client_for: ClientFactory, engine: Engine, world: World) -> None:
    message = _say(engine, "一条", world.unit_a)
    assert client_for(world.unit_a_user, csrf=False).post(f"/inbox/{message}/read").status_code == 403


def test_message_text_is_escaped(client_for: ClientFactory, engine: Engine, world: World) -> None:
    _say(engine, "<script>alert(1)</script>落实", world.unit_a)
    page = client_for(world.unit_a_user).get("/inbox").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;落实" in page


def test_every_page_loads_the_badge_and_links_to_the_inbox(client_for: ClientFactory, world: World) -> None:
    page = client_for(world.leader).get("/dashboard").text
    assert 'hx-get="/inbox/badge"' in page and '<a href="/inbox">消息</a>' in page
    assert "发送失败" not in client_for(world.leader).get("/inbox/badge").text
