"""Routes of the web interface (everything that is not the API)."""

from django.urls import path

from platekeeper.server.maps import views as maps
from platekeeper.server.web import (
    account,
    alerts,
    approvals,
    audit,
    compliance,
    dashboard,
    evidence,
    health,
    hotlists,
    investigations,
    people,
    reads,
    records,
    sharing,
    signin,
    transparency,
)
from platekeeper.server.web.cameras import camera_revoke
from platekeeper.server.web.cameras import cameras as camera_status

app_name = "web"
urlpatterns = [
    path("", dashboard.dashboard, name="home"),
    path("login", signin.login_view, name="login"),
    path("login/code", signin.login_code_view, name="login_code"),
    path("logout", signin.logout_view, name="logout"),
    path("purpose", dashboard.purpose_view, name="purpose"),
    path("purpose/clear", dashboard.purpose_clear, name="purpose_clear"),
    path("search", reads.search, name="search"),
    path("reads/<uuid:read_id>", reads.read_view, name="read"),
    path("reads/<uuid:read_id>/correct", alerts.read_correct, name="read_correct"),
    path("reads/<uuid:read_id>/sightings", investigations.sightings, name="sightings"),
    path("images/<str:sha256>", reads.image_view, name="image"),
    path("investigations/canvass", investigations.canvass, name="canvass"),
    path("investigations/scenes", investigations.scenes, name="scenes"),
    path("investigations/convoy", investigations.convoy, name="convoy"),
    path(
        "investigations/export/<str:kind>",
        investigations.export,
        name="investigation_export",
    ),
    path("alerts", alerts.alerts_page, name="alerts"),
    path("alerts/stream", alerts.alert_stream, name="alert_stream"),
    path("alerts/metrics", alerts.alert_metrics, name="alert_metrics"),
    path("alerts/<int:alert_id>", alerts.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/image/<str:which>", alerts.alert_image_view, name="alert_image"),
    path("alerts/<int:alert_id>/step/<str:step>", alerts.alert_step, name="alert_step"),
    path("hotlists", hotlists.hotlists, name="hotlists"),
    path("hotlists/<int:hotlist_id>", hotlists.hotlist, name="hotlist"),
    path("hotlists/<int:hotlist_id>/import", hotlists.hotlist_import, name="hotlist_import"),
    path("hotlists/<int:hotlist_id>/add", hotlists.hotlist_add, name="hotlist_add"),
    path("cameras", camera_status, name="cameras"),
    path("map/streets.geojson", maps.streets, name="map_streets"),
    path("map/cameras.json", maps.cameras, name="map_cameras"),
    path("cameras/<int:camera_id>/revoke", camera_revoke, name="camera_revoke"),
    path("evidence", evidence.evidence, name="evidence"),
    path("evidence/hold", evidence.evidence_hold, name="evidence_hold"),
    path("evidence/release", evidence.evidence_release, name="evidence_release"),
    path("evidence/export", evidence.evidence_export, name="evidence_export"),
    path("retention", evidence.retention, name="retention"),
    path("approvals", approvals.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decide", approvals.approval_decide, name="approval_decide"),
    path("records", records.records, name="records"),
    path("records/<str:number>", records.records_request, name="records_request"),
    path("records/<str:number>/extend", records.records_extend, name="records_extend"),
    path("records/<str:number>/decide", records.records_decide, name="records_decide"),
    path("records/<str:number>/release", records.records_release, name="records_release"),
    path("users", people.users, name="users"),
    path("users/<str:username>/disable", people.user_disable, name="user_disable"),
    path(
        "users/<str:username>/reset-second-factor",
        people.user_reset_totp,
        name="user_reset_totp",
    ),
    path(
        "users/<str:username>/revoke-tokens",
        people.user_revoke_tokens,
        name="user_revoke_tokens",
    ),
    path("settings/second-factor", people.require_totp_setting, name="require_totp"),
    path("training", people.training, name="training"),
    path("audit", audit.audit, name="audit"),
    path("audit/report", audit.audit_report, name="audit_report"),
    path("compliance", compliance.compliance, name="compliance"),
    path("compliance/officials", compliance.compliance_officials, name="compliance_officials"),
    path("account", account.account, name="account"),
    path("account/password", account.account_password, name="account_password"),
    path("account/second-factor", account.account_totp, name="account_totp"),
    path("healthz", health.health, name="health"),
    path("sharing", sharing.sharing, name="sharing"),
    path("sharing/switch", sharing.sharing_switch, name="sharing_switch"),
    path("sharing/agency", sharing.sharing_agency, name="sharing_agency"),
    path("sharing/agreement", sharing.sharing_agreement, name="sharing_agreement"),
    path(
        "sharing/agreement/<int:agreement_id>/revoke",
        sharing.sharing_revoke,
        name="sharing_revoke",
    ),
    path("sharing/check", sharing.sharing_check, name="sharing_check"),
    path("transparency", transparency.transparency, name="transparency"),
    path("transparency.json", transparency.transparency_json, name="transparency_json"),
]

#: The only routes open without signing in (tests/web checks every other route refuses).
PUBLIC_ROUTES = frozenset(
    {"login", "login_code", "logout", "health", "transparency", "transparency_json"}
)
