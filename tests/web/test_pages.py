"""The web interface, through Django's test client: sign-in, roles, training, purpose, search."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from platekeeper.server.access.audit import verify_and_record
from platekeeper.server.access.models import AuditEvent, TrainingRecord, User
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.models import Read
from platekeeper.server.web.urls import PUBLIC_ROUTES
from tests.support.people import PASSWORD, make_user
from tests.support.qr import decode_svg_qr
from tests.web.conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# --- signing in and out --------------------------------------------------------------------


def test_the_login_page_carries_the_official_use_notice():
    page = Client().get("/login")
    assert page.status_code == 200
    assert "for the official use of this department" in _text(page)
    assert "not open to public review" in _text(page)


def test_a_right_password_signs_in_and_is_audited():
    make_user("ines")
    client = Client()
    response = client.post("/login", {"username": "ines", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(username="ines", action="login", channel="ui").exists()


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong():
    make_user("ines")
    response = Client().post("/login", {"username": "ines", "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert "wrong username or password" in _text(response)
    assert AuditEvent.objects.filter(username="ines", action="login.failed").count() == 1


def test_five_failures_lock_the_account_and_say_so():
    make_user("ines")
    client = Client()
    for _ in range(5):
        last = client.post("/login", {"username": "ines", "password": "wrong-wrong-wrong"})
    assert "locked" in _text(last)
    refused = client.post("/login", {"username": "ines", "password": PASSWORD})
    assert refused.status_code == 401
    assert "locked" in _text(refused)
    assert client.get("/").status_code == 302


def test_logout_is_a_post_that_ends_the_session_and_is_audited(investigator):
    assert investigator.get("/logout").status_code == 405
    response = investigator.post("/logout")
    assert response.status_code == 302
    assert investigator.get("/").status_code == 302
    assert AuditEvent.objects.filter(username="ines", action="logout").count() == 1


def test_an_expired_session_sends_back_to_login_with_the_idle_message(investigator):
    investigator.cookies.pop("sessionid")
    response = investigator.get("/search", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login?next=")
    assert "signed out after 30 minutes without activity" in _text(response)


def test_every_page_but_login_and_health_needs_a_login():
    """GIVEN every route of the web interface WHEN asked anonymously THEN only the public
    ones answer; the rest send to the login page."""
    client = Client()
    for pattern in get_resolver("platekeeper.server.web.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in PUBLIC_ROUTES:
            continue
        samples = {"int": 1, "uuid": "8a6e0804-2bd0-4672-b79a-d46a1f1c3a3a"}
        kwargs = {
            name: samples.get(type(converter).__name__.removesuffix("Converter").lower(), "x")
            for name, converter in pattern.pattern.converters.items()
        }
        path = reverse(f"web:{pattern.name}", kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in {302, 405}, path
            if response.status_code == 302:
                assert response.url.startswith("/login"), path


# --- second factor -------------------------------------------------------------------------


def test_second_factor_setup_shows_a_qr_code_of_the_setup_uri_and_the_key(investigator):
    investigator.post("/account/second-factor", {"step": "start"})
    secret = User.objects.get(username="ines").totp_secret
    page = _text(investigator.get("/account"))
    svg = re.search(r"<svg.*?</svg>", page, re.S)[0]
    scanned = decode_svg_qr(svg)
    assert scanned.startswith("otpauth://totp/")
    assert f"secret={secret}" in scanned
    assert pyotp.parse_uri(scanned).secret == secret
    # The key for typing in is shown; the URI itself appears nowhere but inside the drawing.
    assert secret in page.replace(svg, "")
    assert "otpauth" not in page


def test_a_user_with_a_second_factor_needs_a_code_before_the_session_is_signed_in(investigator):
    investigator.post("/account/second-factor", {"step": "start"})
    user = User.objects.get(username="ines")
    code = pyotp.TOTP(user.totp_secret).now()
    confirmed = investigator.post("/account/second-factor", {"step": "confirm", "code": code})
    assert confirmed.status_code == 302
    assert User.objects.get(username="ines").totp_confirmed

    client = Client()
    first = client.post("/login", {"username": "ines", "password": PASSWORD})
    assert first.url.startswith("/login/code")
    assert client.get("/").status_code == 302  # not signed in yet
    bad = client.post("/login/code", {"code": "000000" if code != "000000" else "111111"})
    assert bad.status_code == 401
    assert AuditEvent.objects.filter(username="ines", action="login.totp_failed").count() == 1
    good = client.post("/login/code", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert good.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action__startswith="totp.").count() == 2


# --- navigation, dashboard, training -------------------------------------------------------

NAV = {"Search": "/search", "Users": "/users", "Training": "/training", "Audit": "/audit"}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.ADMINISTRATOR, {"Users", "Training"}),
        (Role.INVESTIGATOR, {"Search"}),
        (Role.AUDITOR, {"Search", "Audit"}),
        (Role.OPERATOR, {"Search"}),
    ],
)
def test_navigation_follows_the_role(role, visible):
    page = _text(signed_in("someone", role).get("/"))
    for label, href in NAV.items():
        assert (f'href="{href}"' in page) == (label in visible), label
    assert 'href="/account"' in page
    assert "Sign out" in page


def test_the_dashboard_shows_counts(investigator, stored_reads):
    page = _text(investigator.get("/"))
    assert "Reads today" in page
    assert "Cameras online" in page
    assert "Alerts open" in page


def test_an_untrained_user_sees_why_and_is_refused_search_with_the_reason():
    client = signed_in("late", training="lapsed")
    page = _text(client.get("/"))
    lapsed_on = TrainingRecord.objects.get(user__username="late").expires_on
    assert "No access to ALPR data" in page
    assert f"lapsed on {lapsed_on:%B} {lapsed_on.day}, {lapsed_on:%Y}" in page
    assert "until your training is renewed" in page

    with_purpose(client)
    refused = client.get("/search", {"plate": "6TRL204"})
    assert refused.status_code == 403
    assert f"lapsed on {lapsed_on:%Y-%m-%d}" in _text(refused)
    denied = AuditEvent.objects.get(action="reads.search")
    assert denied.outcome == "denied"
    assert "lapsed" in denied.reason


def test_a_role_without_the_permission_gets_a_403_page():
    admin = signed_in("dana", Role.ADMINISTRATOR)
    response = admin.get("/search")
    assert response.status_code == 403
    assert "may not search plate reads" in _text(response)


# --- purpose and search --------------------------------------------------------------------


def test_search_asks_for_a_purpose_first_and_comes_back(investigator):
    response = investigator.get("/search?plate=6TRL204")
    assert response.status_code == 302
    assert response.url.startswith("/purpose?next=")
    page = _text(investigator.get(response.url))
    assert "Stolen or wanted vehicle" in page
    assert "no case number needed" in page  # exempt purposes say so

    back = investigator.post(
        response.url,
        {"purpose": "stolen_vehicle", "case_number": "24-0113", "next": "/search?plate=6TRL204"},
    )
    assert back.url == "/search?plate=6TRL204"


def test_a_case_number_is_required_unless_the_purpose_is_exempt(investigator):
    missing = investigator.post("/purpose", {"purpose": "stolen_vehicle", "case_number": ""})
    assert missing.status_code == 400
    assert "case_number: is required" in _text(missing)
    exempt = investigator.post("/purpose", {"purpose": "amber_alert", "case_number": ""})
    assert exempt.status_code == 302


def test_the_purpose_banner_is_on_every_page_with_a_change_link(investigator):
    with_purpose(investigator)
    page = _text(investigator.get("/account"))
    assert "Stolen or wanted vehicle" in page
    assert "24-0113" in page
    assert 'href="/purpose?next=' in page


def test_a_search_shows_results_newest_first_and_writes_one_audit_event(investigator, stored_reads):
    with_purpose(investigator)
    before = AuditEvent.objects.count()
    response = investigator.get("/search", {"plate": "6trl 204"})
    assert response.status_code == 200
    page = _text(response)
    assert page.count('<td class="plate">6TRL204') == 3
    assert "8XYZ999" not in page
    assert "Grand Ave at Wildwood" in page
    assert page.count('src="/images/') == 3

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "reads.search"
    assert event.outcome == "allowed"
    assert (event.purpose, event.case_number, event.channel) == ("stolen_vehicle", "24-0113", "ui")
    assert event.query["plate"] == "6TRL204"
    expected = {item["id"] for item in stored_reads if item["plate"] == "6TRL204"}
    assert set(event.record_ids) == expected


def test_results_page_with_a_next_link(investigator, stored_reads, monkeypatch):
    from platekeeper.server.web import reads

    real = reads.search_plate_query
    monkeypatch.setattr(reads, "search_plate_query", lambda *a, **kw: real(*a, **kw, limit=2))
    with_purpose(investigator)
    first = _text(investigator.get("/search", {"plate": "6TRL204"}))
    assert first.count('<td class="plate">') == 2
    assert "Next page" in first
    link = first.split('href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = _text(investigator.get(f"/search?{link}"))
    assert second.count('<td class="plate">') == 1
    assert "Next page" not in second


def test_an_unknown_plate_gets_a_helpful_empty_state(investigator, stored_reads):
    with_purpose(investigator)
    page = _text(investigator.get("/search", {"plate": "1NONE11"}))
    assert "No reads of 1NONE11" in page


def test_a_bad_plate_is_a_400_that_says_why(investigator):
    with_purpose(investigator)
    response = investigator.get("/search", {"plate": "!!"})
    assert response.status_code == 400
    assert "Plate:" in _text(response)  # named as the form labels it


def test_read_detail_and_image_are_audited_with_the_purpose(investigator, stored_reads):
    with_purpose(investigator)
    item = stored_reads[0]
    detail = investigator.get(f"/reads/{item['id']}")
    assert detail.status_code == 200
    assert "Grand Ave at Wildwood" in _text(detail)
    assert 'src="data:image/jpeg;base64,' in _text(detail)  # the page is one access
    sha256 = Read.objects.get(pk=item["id"]).plate_crop_id
    image = investigator.get(f"/images/{sha256}")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    events = AuditEvent.objects.filter(action__in=["reads.detail", "images.view"])
    assert [(e.action, e.purpose) for e in events] == [
        ("reads.detail", "stolen_vehicle"),
        ("images.view", "stolen_vehicle"),
    ]
    assert sha256 in events[0].record_ids


def test_an_image_without_a_purpose_is_refused_and_audited(investigator):
    response = investigator.get("/images/" + "a" * 64)
    assert response.status_code == 400
    assert AuditEvent.objects.get(action="images.view").outcome == "denied"


# --- users, training, audit ----------------------------------------------------------------


def test_an_administrator_adds_and_disables_a_user():
    admin = signed_in("dana", Role.ADMINISTRATOR)
    page = _text(admin.get("/users"))
    assert "dana" in page
    created = admin.post(
        "/users",
        {"username": "newbie", "full_name": "Nia Ewbie", "role": "operator", "password": PASSWORD},
    )
    assert created.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.role == Role.OPERATOR
    assert "newbie" in _text(admin.get("/users"))

    weak = admin.post("/users", {"username": "weak", "role": "operator", "password": "password123"})
    assert weak.status_code == 400
    assert "password:" in _text(weak)

    admin.post("/users/newbie/disable")
    assert not User.objects.get(username="newbie").is_active
    assert AuditEvent.objects.filter(action__in=["user.create", "user.disable"]).count() >= 2


def test_an_administrator_makes_the_second_factor_mandatory_and_resets_one():
    admin = signed_in("dana", Role.ADMINISTRATOR)
    admin.post("/settings/second-factor", {"required": "1"})
    ines = signed_in("ines")
    assert "A second factor is required" in _text(ines.get("/"))
    with_purpose(ines)
    refused = ines.get("/search", {"plate": "6TRL204"})
    assert refused.status_code == 403
    assert "second factor" in _text(refused)

    ines.post("/account/second-factor", {"step": "start"})
    admin.post("/users/ines/reset-second-factor")
    assert User.objects.get(username="ines").totp_secret == ""
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"settings.require_totp", "totp.enrol", "totp.remove"} <= actions


def test_training_is_recorded_and_due_lists_are_shown():
    admin = signed_in("dana", Role.ADMINISTRATOR)
    make_user("late", training="lapsed")
    make_user("soon", training="none")
    page = _text(admin.get("/training"))
    assert "Lapsed or no training" in page
    assert "late" in page
    assert "no training on record" in page

    today = timezone.localdate()
    recorded = admin.post("/training", {"username": "soon", "completed_on": today.isoformat()})
    assert recorded.status_code == 302
    record = TrainingRecord.objects.get(user__username="soon")
    assert record.expires_on == today + dt.timedelta(days=365)
    assert record.recorded_by.username == "dana"

    unknown = admin.post("/training", {"username": "ghost", "completed_on": today.isoformat()})
    assert unknown.status_code == 400
    assert "no user named" in _text(unknown)


def test_the_audit_page_is_for_auditors_only():
    assert signed_in("ines").get("/audit").status_code == 403
    auditor = signed_in("maggie", Role.AUDITOR)
    page = auditor.get("/audit", {"username": "ines", "action": "login"})
    assert page.status_code == 200
    assert "ines" in _text(page)
    assert "maggie</td>" not in _text(page)
    refused = AuditEvent.objects.get(action="audit.view", outcome="denied")
    assert refused.username == "ines"  # the refusal is audited too
    viewed = AuditEvent.objects.get(action="audit.view", outcome="allowed")
    assert (viewed.username, viewed.query["username"], viewed.query["action"]) == (
        "maggie",
        "ines",
        "login",
    )
    assert viewed.record_ids  # the events shown
    assert "has not been verified yet" in _text(auditor.get("/audit"))

    verify_and_record()  # the scheduler's daily job
    assert "Chain intact" in _text(auditor.get("/audit"))


def test_an_auditor_runs_a_report_and_downloads_it_as_csv(investigator, stored_reads):
    with_purpose(investigator)
    investigator.get("/search", {"plate": "6TRL204"})
    assert investigator.get("/audit/report").status_code == 403
    auditor = signed_in("maggie", Role.AUDITOR)
    today = timezone.localdate().isoformat()
    query = {"kind": "by_purpose", "start": today, "end": today}
    page = auditor.get("/audit/report", query)
    assert page.status_code == 200
    assert "Stolen or wanted vehicle" in _text(page)
    assert "stolen_vehicle" not in _text(page)  # the purpose in words, not its code
    download = auditor.get("/audit/report", {**query, "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    assert "Stolen or wanted vehicle" in download.content.decode()
    assert AuditEvent.objects.filter(action="audit.report", username="maggie").count() == 2
    backwards = auditor.get("/audit/report", {**query, "start": "2030-01-02", "end": "2030-01-01"})
    assert backwards.status_code == 400


def test_password_change_checks_the_current_password(investigator):
    wrong = investigator.post(
        "/account/password",
        {
            "current_password": "not-it",
            "new_password": "Another-Long-Phrase-77",
            "new_password_again": "Another-Long-Phrase-77",
        },
    )
    assert wrong.status_code == 400
    changed = investigator.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Another-Long-Phrase-77",
            "new_password_again": "Another-Long-Phrase-77",
        },
    )
    assert changed.status_code == 302
    assert investigator.get("/").status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action="user.password_change").count() == 1


# --- headers -------------------------------------------------------------------------------


def test_security_headers(settings):
    middleware = "platekeeper.server.web.middleware.SecurityHeadersMiddleware"
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, middleware]):
        response = Client().get("/login")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "style=" not in _text(response)  # no inline styles under this CSP
    assert "<script>" not in _text(response)


def test_the_search_page_offers_partial_and_lookalike_search():
    """The form explains wildcards and has a look-alike switch (the query is tested in reads)."""
    from platekeeper.server.web.forms import SearchForm

    form = SearchForm(data={"plate": "7AB?12", "lookalike": "on"})

    assert form.is_valid()
    assert form.cleaned_data["lookalike"] is True
    assert "?" in str(form["plate"].help_text)
