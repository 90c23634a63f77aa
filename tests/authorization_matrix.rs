//! The authorization matrix: every role and token scope × every operation × inside and
//! outside the caller's subtree, over REST and over GraphQL. Each cell asserts the answer
//! and, for a refused write, that nothing was stored.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Admin,
    Manager,
    Reporter,
    Viewer,
    ReadToken,
    WriteToken,
    ReadWriteToken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    ReadOrgUnit,
    ReadCatalogue,
    ReadFigures,
    ReadChanges,
    ReadAttainment,
    ReadAggregates,
    ReadViolations,
    WriteFigures,
    EditMetadata,
    CreateUser,
    UpdateUser,
    ChangeOwnPassword,
    CreateToken,
    RevokeToken,
    ListUsers,
    ListTokens,
    ReadAudit,
}

const EVERY_OPERATION: [Op; 17] = [
    Op::ReadOrgUnit,
    Op::ReadCatalogue,
    Op::ReadFigures,
    Op::ReadChanges,
    Op::ReadAttainment,
    Op::ReadAggregates,
    Op::ReadViolations,
    Op::WriteFigures,
    Op::EditMetadata,
    Op::CreateUser,
    Op::UpdateUser,
    Op::ChangeOwnPassword,
    Op::CreateToken,
    Op::RevokeToken,
    Op::ListUsers,
    Op::ListTokens,
    Op::ReadAudit,
];

impl Op {
    /// Operations on something inside a unit, tried inside (VT-P8) and outside (VT-P1) the
    /// caller's subtree.
    fn names_a_unit(self) -> bool {
        !matches!(
            self,
            Op::ReadCatalogue
                | Op::ChangeOwnPassword
                | Op::ListUsers
                | Op::ListTokens
                | Op::ReadAudit
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    /// Outside the subtree the thing is reported unknown (404 `unknown_*`), so its existence
    /// does not leak.
    Unknown,
}

/// The rules of the integration contract, written out independently of the server's code.
fn expected(who: Who, op: Op, inside: bool) -> Outcome {
    use Outcome::*;
    let user = matches!(who, Who::Admin | Who::Manager | Who::Reporter | Who::Viewer);
    let reads = !matches!(who, Who::WriteToken);
    let writes = matches!(
        who,
        Who::Admin | Who::Manager | Who::Reporter | Who::WriteToken | Who::ReadWriteToken
    );
    let manages = matches!(who, Who::Admin | Who::Manager);
    let here = inside || who == Who::Admin;
    match op {
        Op::ReadCatalogue if reads => Allowed,
        Op::ReadOrgUnit
        | Op::ReadFigures
        | Op::ReadChanges
        | Op::ReadAttainment
        | Op::ReadAggregates
        | Op::ReadViolations
            if reads =>
        {
            if here {
                Allowed
            } else {
                Unknown
            }
        }
        Op::WriteFigures if writes && here => Allowed,
        Op::EditMetadata if who == Who::Admin => Allowed,
        Op::ChangeOwnPassword if user => Allowed,
        Op::CreateUser | Op::CreateToken if manages && here => Allowed,
        // Naming another subtree's user or token: unknown.
        Op::UpdateUser | Op::RevokeToken if manages => {
            if here {
                Allowed
            } else {
                Unknown
            }
        }
        Op::ListUsers | Op::ListTokens | Op::ReadAudit if manages => Allowed,
        _ => Forbidden,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    Rest,
    GraphQl,
}

/// One cell of the matrix, with what it needs prepared by the admin beforehand.
struct Cell {
    who: Who,
    op: Op,
    unit: &'static str,
    transport: Transport,
    /// Makes what a write creates unique to this cell.
    n: usize,
    /// The user or token the cell acts on (`UpdateUser`, `RevokeToken`).
    target: i64,
}

impl Cell {
    fn period(&self) -> String {
        // One whole year per cell: no two cells' figures can overlap.
        format!("{}", 1800 + self.n)
    }
    fn name(&self) -> String {
        format!("member-{}", self.n)
    }
    fn new_unit(&self) -> String {
        format!("NEW-{}", self.n)
    }
    /// The caller's own password (changed to itself by `ChangeOwnPassword`).
    fn own_password(&self) -> &'static str {
        if self.who == Who::Admin {
            common::ADMIN_PASSWORD
        } else {
            PASSWORD
        }
    }
}

async fn credentials(app: &TestApp) -> Vec<(Who, String)> {
    let mut out = vec![(Who::Admin, app.token.clone())];
    for (who, user, role) in [
        (Who::Manager, "p8.manager", "manager"),
        (Who::Reporter, "p8.reporter", "reporter"),
        (Who::Viewer, "p8.viewer", "viewer"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/users",
                &json!({"username": user, "password": PASSWORD, "role": role, "org_unit": "VT-P8"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        out.push((who, app.login(user, PASSWORD).await));
    }
    for (who, scopes) in [
        (Who::ReadToken, json!(["data:read"])),
        (Who::WriteToken, json!(["data:write"])),
        (Who::ReadWriteToken, json!(["data:read", "data:write"])),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/api-tokens",
                &json!({"name": format!("{who:?}"), "org_unit": "VT-P8", "scopes": scopes}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        out.push((who, body["token"].as_str().unwrap().to_owned()));
    }
    out
}

/// Creates, as the admin, the user or token a cell acts on.
async fn prepare(app: &TestApp, op: Op, unit: &str, n: usize) -> i64 {
    match op {
        Op::UpdateUser => {
            let (status, body) = app
                .post("/api/v1/users", &json!({"username": format!("target-{n}"), "password": PASSWORD, "role": "viewer", "org_unit": unit}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().unwrap()
        }
        Op::RevokeToken => {
            let (status, body) = app
                .post("/api/v1/api-tokens", &json!({"name": format!("target-{n}"), "org_unit": unit, "scopes": ["data:read"]}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().unwrap()
        }
        _ => 0,
    }
}

/// Sends the cell's request; returns what the server decided.
async fn attempt(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    match c.transport {
        Transport::Rest => rest(app, bearer, c).await,
        Transport::GraphQl => graphql(app, bearer, c).await,
    }
}

async fn rest(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    let u = c.unit;
    let (method, path, body) = match c.op {
        Op::ReadOrgUnit => (Method::GET, format!("/api/v1/org-units/{u}"), None),
        Op::ReadCatalogue => (Method::GET, "/api/v1/indicators".into(), None),
        Op::ReadFigures => (
            Method::GET,
            format!("/api/v1/data-values?org_unit={u}"),
            None,
        ),
        Op::ReadChanges => (
            Method::GET,
            format!("/api/v1/data-values?org_unit={u}&updated_since=2000-01-01T00:00:00Z"),
            None,
        ),
        Op::ReadAttainment => (
            Method::GET,
            format!("/api/v1/attainment?org_unit={u}&period=2023"),
            None,
        ),
        Op::ReadAggregates => (
            Method::GET,
            format!("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit={u}&period=2023"),
            None,
        ),
        Op::ReadViolations => (
            Method::GET,
            format!("/api/v1/validation?org_unit={u}&period=2023"),
            None,
        ),
        Op::WriteFigures => (
            Method::POST,
            "/api/v1/data-value-sets".into(),
            Some(json!({
            "org_unit": u, "period": c.period(), "data_values": [{"data_element": "DOC_OUT_SW", "value": 5}]})),
        ),
        Op::EditMetadata => (
            Method::POST,
            "/api/v1/metadata".into(),
            Some(json!({
            "org_units": [{"code": c.new_unit(), "name": "Tổ dân phố", "parent": u, "kind": "office"}]})),
        ),
        Op::CreateUser => (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({
            "username": c.name(), "password": PASSWORD, "role": "viewer", "org_unit": u})),
        ),
        Op::UpdateUser => (
            Method::PATCH,
            format!("/api/v1/users/{}", c.target),
            Some(json!({"disabled": true})),
        ),
        Op::ChangeOwnPassword => (
            Method::POST,
            "/api/v1/auth/password".into(),
            Some(json!({
            "current_password": c.own_password(), "new_password": c.own_password()})),
        ),
        Op::CreateToken => (
            Method::POST,
            "/api/v1/api-tokens".into(),
            Some(json!({
            "name": c.name(), "org_unit": u, "scopes": ["data:read"]})),
        ),
        Op::RevokeToken => (
            Method::DELETE,
            format!("/api/v1/api-tokens/{}", c.target),
            None,
        ),
        Op::ListUsers => (Method::GET, "/api/v1/users".into(), None),
        Op::ListTokens => (Method::GET, "/api/v1/api-tokens".into(), None),
        Op::ReadAudit => (Method::GET, "/api/v1/audit".into(), None),
    };
    let (status, body) = common::as_bearer(app, bearer, method, &path, body).await;
    match status {
        StatusCode::OK | StatusCode::CREATED | StatusCode::NO_CONTENT => Outcome::Allowed,
        StatusCode::FORBIDDEN => {
            assert_eq!(body["code"], "forbidden");
            Outcome::Forbidden
        }
        StatusCode::NOT_FOUND => {
            assert!(
                body["code"].as_str().unwrap().starts_with("unknown_"),
                "{body}"
            );
            Outcome::Unknown
        }
        other => panic!("{:?} {:?} at {u}: unexpected {other} {body}", c.who, c.op),
    }
}

async fn graphql(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    let u = c.unit;
    let (query, variables) = match c.op {
        Op::ReadOrgUnit => (
            "query($u: String!) { orgUnit(code: $u) { name } }",
            json!({"u": u}),
        ),
        Op::ReadCatalogue => ("{ indicators { nodes { code } } }", json!({})),
        Op::ReadFigures => (
            "query($u: String!) { dataValues(orgUnit: $u) { nodes { value } } }",
            json!({"u": u}),
        ),
        Op::ReadChanges => (
            "query($u: String!) { dataValueChanges(orgUnit: $u, since: \"2000-01-01T00:00:00Z\") { nodes { value } } }",
            json!({"u": u}),
        ),
        Op::ReadAttainment => (
            "query($u: String!) { attainment(orgUnit: $u, period: \"2023\") { status } }",
            json!({"u": u}),
        ),
        Op::ReadAggregates => (
            "query($u: String!) { aggregates(dataElements: [\"DOC_OUT_SW\"], orgUnit: $u, period: \"2023\") { value } }",
            json!({"u": u}),
        ),
        Op::ReadViolations => (
            "query($u: String!) { violations(orgUnit: $u, period: \"2023\") { nodes { rule } } }",
            json!({"u": u}),
        ),
        Op::WriteFigures => (
            "mutation($i: DataValueSetInput!) { submitDataValues(input: $i) { status } }",
            json!({"i": {"orgUnit": u, "period": c.period(), "dataValues": [{"dataElement": "DOC_OUT_SW", "value": 5}]}}),
        ),
        Op::EditMetadata => (
            "mutation($b: JSON!) { importMetadata(bundle: $b) { created } }",
            json!({"b": {"org_units": [{"code": c.new_unit(), "name": "Tổ dân phố", "parent": u, "kind": "office"}]}}),
        ),
        Op::CreateUser => (
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"username": c.name(), "password": PASSWORD, "role": "viewer", "orgUnit": u}}),
        ),
        Op::UpdateUser => (
            "mutation($id: Int!) { updateUser(id: $id, disabled: true) { disabled } }",
            json!({"id": c.target}),
        ),
        Op::ChangeOwnPassword => (
            "mutation($p: String!) { changeOwnPassword(currentPassword: $p, newPassword: $p) }",
            json!({"p": c.own_password()}),
        ),
        Op::CreateToken => (
            "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }",
            json!({"i": {"name": c.name(), "orgUnit": u, "scopes": ["data:read"]}}),
        ),
        Op::RevokeToken => (
            "mutation($id: Int!) { revokeApiToken(id: $id) { revokedAt } }",
            json!({"id": c.target}),
        ),
        Op::ListUsers => ("{ users { nodes { username } } }", json!({})),
        Op::ListTokens => ("{ apiTokens { nodes { name } } }", json!({})),
        Op::ReadAudit => ("{ auditEvents(first: 1) { nodes { action } } }", json!({})),
    };
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(bearer)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let Some(error) = body["errors"].get(0) else {
        if c.op == Op::WriteFigures {
            assert_eq!(
                body["data"]["submitDataValues"]["status"], "success",
                "{body}"
            );
        }
        return Outcome::Allowed;
    };
    assert!(body["data"].is_null(), "{body}");
    match error["extensions"]["code"].as_str() {
        Some("forbidden") => Outcome::Forbidden,
        Some(code) if code.starts_with("unknown_") => Outcome::Unknown,
        other => panic!("{:?} {:?} at {u}: unexpected {other:?} {body}", c.who, c.op),
    }
}

/// Whether the cell's write took effect (checked as the admin); `None` for reads.
async fn took_effect(app: &TestApp, c: &Cell) -> Option<bool> {
    Some(match c.op {
        Op::WriteFigures => !app
            .values(&format!("org_unit={}&period={}", c.unit, c.period()))
            .await
            .is_empty(),
        Op::EditMetadata => {
            app.get(&format!("/api/v1/org-units/{}", c.new_unit()))
                .await
                .0
                == StatusCode::OK
        }
        Op::CreateUser => users(app).await.iter().any(|u| u["username"] == c.name()),
        Op::UpdateUser => users(app)
            .await
            .iter()
            .any(|u| u["id"] == c.target && u["disabled"] == true),
        Op::CreateToken => tokens(app).await.iter().any(|t| t["name"] == c.name()),
        Op::RevokeToken => tokens(app)
            .await
            .iter()
            .any(|t| t["id"] == c.target && t["revoked_at"].is_string()),
        _ => return None,
    })
}

async fn users(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/users?limit=10000").await.1["users"]
        .as_array()
        .unwrap()
        .clone()
}

async fn tokens(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/api-tokens?limit=10000").await.1["api_tokens"]
        .as_array()
        .unwrap()
        .clone()
}

both_databases! {
    async fn every_role_and_scope_gets_exactly_its_rights_everywhere_over_rest_and_graphql(app: TestApp) {
        let mut app = app;
        app.seed_catalogue().await;
        let mut credentials = credentials(&app).await;
        let mut n = 0;
        let mut mismatches = Vec::new();
        for transport in [Transport::Rest, Transport::GraphQl] {
            for (who, bearer) in credentials.iter_mut() {
                for op in EVERY_OPERATION {
                    let places: &[(&str, bool)] = if op.names_a_unit() { &[("VT-P8", true), ("VT-P1", false)] } else { &[("VT-P8", true)] };
                    for &(unit, inside) in places {
                        n += 1;
                        let target = prepare(&app, op, unit, n).await;
                        let cell = Cell { who: *who, op, unit, transport, n, target };
                        let want = expected(*who, op, inside);
                        let got = attempt(&app, bearer, &cell).await;
                        if got != want {
                            mismatches.push(format!("{transport:?} {who:?} {op:?} {unit}: expected {want:?}, got {got:?}"));
                        }
                        if let Some(done) = took_effect(&app, &cell).await {
                            assert_eq!(done, want == Outcome::Allowed, "{transport:?} {who:?} {op:?} {unit}: took effect = {done}");
                        }
                        // A password change ends every session of the user: log in again.
                        if op == Op::ChangeOwnPassword && got == Outcome::Allowed {
                            let username = match who { Who::Admin => "admin", Who::Manager => "p8.manager", Who::Reporter => "p8.reporter", _ => "p8.viewer" };
                            *bearer = app.login(username, cell.own_password()).await;
                            if *who == Who::Admin {
                                app.token = bearer.clone();
                            }
                        }
                    }
                }
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        // 7 principals × (12 unit operations × 2 places + 5 others) × 2 transports.
        assert_eq!(n, 7 * (12 * 2 + 5) * 2);
    }
}
