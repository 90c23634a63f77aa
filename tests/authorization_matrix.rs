//! The authorization matrix: every role and token scope × every operation × inside and
//! outside the caller's subtree, over REST and over GraphQL. Each cell asserts the answer
//! and, for a refused write, that nothing was stored.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Manager,
    Who::Reporter,
    Who::Viewer,
    Who::ReadToken,
    Who::WriteToken,
    Who::ReadWriteToken,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    ReadFigures,
    ReadAttainment,
    WriteFigures,
    EditMetadata,
    CreateUser,
    CreateToken,
    ListUsers,
    ListTokens,
    ReadAudit,
}

const EVERY_OPERATION: [Op; 9] = [
    Op::ReadFigures,
    Op::ReadAttainment,
    Op::WriteFigures,
    Op::EditMetadata,
    Op::CreateUser,
    Op::CreateToken,
    Op::ListUsers,
    Op::ListTokens,
    Op::ReadAudit,
];

impl Op {
    /// Operations that name a unit, tried inside (VT-P8) and outside (VT-P1) the subtree.
    fn names_a_unit(self) -> bool {
        !matches!(self, Op::ListUsers | Op::ListTokens | Op::ReadAudit)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    /// Reads outside the subtree: the unit is reported unknown, so its existence does not leak.
    Unknown,
}

/// The rules of the integration contract, written out independently of the server's code.
fn expected(who: Who, op: Op, inside: bool) -> Outcome {
    use Outcome::*;
    let reads = !matches!(who, Who::WriteToken);
    let writes = matches!(
        who,
        Who::Admin | Who::Manager | Who::Reporter | Who::WriteToken | Who::ReadWriteToken
    );
    let manages = matches!(who, Who::Admin | Who::Manager);
    let everywhere = who == Who::Admin;
    match op {
        Op::ReadFigures | Op::ReadAttainment if !reads => Forbidden,
        Op::ReadFigures | Op::ReadAttainment if inside || everywhere => Allowed,
        Op::ReadFigures | Op::ReadAttainment => Unknown,
        Op::WriteFigures if writes && (inside || everywhere) => Allowed,
        Op::WriteFigures => Forbidden,
        Op::EditMetadata if everywhere => Allowed,
        Op::EditMetadata => Forbidden,
        Op::CreateUser | Op::CreateToken if manages && (inside || everywhere) => Allowed,
        Op::CreateUser | Op::CreateToken => Forbidden,
        Op::ListUsers | Op::ListTokens | Op::ReadAudit if manages => Allowed,
        Op::ListUsers | Op::ListTokens | Op::ReadAudit => Forbidden,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    Rest,
    GraphQl,
}

struct Cell {
    who: Who,
    op: Op,
    unit: &'static str,
    transport: Transport,
    /// Makes what a write creates unique to this cell.
    n: usize,
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
}

async fn credentials(app: &TestApp) -> Vec<(Who, String)> {
    let password = "Một-mật-khẩu-dài";
    let mut out = vec![(Who::Admin, app.token.clone())];
    for (who, user, role) in [
        (Who::Manager, "p8.manager", "manager"),
        (Who::Reporter, "p8.reporter", "reporter"),
        (Who::Viewer, "p8.viewer", "viewer"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/users",
                &json!({"username": user, "password": password, "role": role, "org_unit": "VT-P8"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        out.push((who, app.login(user, password).await));
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

/// Sends the cell's request; returns what the server decided.
async fn attempt(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    match c.transport {
        Transport::Rest => rest(app, bearer, c).await,
        Transport::GraphQl => graphql(app, bearer, c).await,
    }
}

async fn rest(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    let (method, path, body) = match c.op {
        Op::ReadFigures => (
            Method::GET,
            format!("/api/v1/data-values?org_unit={}", c.unit),
            None,
        ),
        Op::ReadAttainment => (
            Method::GET,
            format!("/api/v1/attainment?org_unit={}&period=2023", c.unit),
            None,
        ),
        Op::WriteFigures => (
            Method::POST,
            "/api/v1/data-value-sets".into(),
            Some(json!({
            "org_unit": c.unit, "period": c.period(), "data_values": [{"data_element": "DOC_OUT_SW", "value": 5}]})),
        ),
        Op::EditMetadata => (
            Method::POST,
            "/api/v1/metadata".into(),
            Some(json!({
            "org_units": [{"code": c.new_unit(), "name": "Tổ dân phố", "parent": c.unit, "kind": "office"}]})),
        ),
        Op::CreateUser => (
            Method::POST,
            "/api/v1/users".into(),
            Some(json!({
            "username": c.name(), "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": c.unit})),
        ),
        Op::CreateToken => (
            Method::POST,
            "/api/v1/api-tokens".into(),
            Some(json!({
            "name": c.name(), "org_unit": c.unit, "scopes": ["data:read"]})),
        ),
        Op::ListUsers => (Method::GET, "/api/v1/users".into(), None),
        Op::ListTokens => (Method::GET, "/api/v1/api-tokens".into(), None),
        Op::ReadAudit => (Method::GET, "/api/v1/audit".into(), None),
    };
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(bearer);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let (status, body) = common::read(req.send().await.unwrap()).await;
    match status {
        StatusCode::OK | StatusCode::CREATED => Outcome::Allowed,
        StatusCode::FORBIDDEN => {
            assert_eq!(body["code"], "forbidden");
            Outcome::Forbidden
        }
        StatusCode::NOT_FOUND => {
            assert_eq!(body["code"], "unknown_org_unit");
            Outcome::Unknown
        }
        other => panic!(
            "{:?} {:?} at {}: unexpected {other} {body}",
            c.who, c.op, c.unit
        ),
    }
}

async fn graphql(app: &TestApp, bearer: &str, c: &Cell) -> Outcome {
    let (query, variables) = match c.op {
        Op::ReadFigures => (
            "query($u: String!) { dataValues(orgUnit: $u) { edges { node { value } } } }",
            json!({"u": c.unit}),
        ),
        Op::ReadAttainment => (
            "query($u: String!) { attainment(orgUnit: $u, period: \"2023\") { status } }",
            json!({"u": c.unit}),
        ),
        Op::WriteFigures => (
            "mutation($i: DataValueSetInput!) { submitDataValues(input: $i) { status } }",
            json!({"i": {"orgUnit": c.unit, "period": c.period(), "dataValues": [{"dataElement": "DOC_OUT_SW", "value": 5}]}}),
        ),
        Op::EditMetadata => (
            "mutation($b: JSON!) { importMetadata(bundle: $b) { created } }",
            json!({"b": {"org_units": [{"code": c.new_unit(), "name": "Tổ dân phố", "parent": c.unit, "kind": "office"}]}}),
        ),
        Op::CreateUser => (
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"username": c.name(), "password": "Một-mật-khẩu-dài", "role": "viewer", "orgUnit": c.unit}}),
        ),
        Op::CreateToken => (
            "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }",
            json!({"i": {"name": c.name(), "orgUnit": c.unit, "scopes": ["data:read"]}}),
        ),
        Op::ListUsers => ("{ users { edges { node { username } } } }", json!({})),
        Op::ListTokens => ("{ apiTokens { edges { node { name } } } }", json!({})),
        Op::ReadAudit => (
            "{ auditEvents(first: 1) { edges { node { action } } } }",
            json!({}),
        ),
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
        Some("unknown_org_unit") => Outcome::Unknown,
        other => panic!(
            "{:?} {:?} at {}: unexpected {other:?} {body}",
            c.who, c.op, c.unit
        ),
    }
}

/// Whether what the cell's write would have created exists (checked as the admin).
async fn stored(app: &TestApp, c: &Cell) -> Option<bool> {
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
        Op::CreateUser => app.get("/api/v1/users").await.1["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == c.name()),
        Op::CreateToken => app.get("/api/v1/api-tokens").await.1["api_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == c.name()),
        _ => return None,
    })
}

both_databases! {
    async fn every_role_and_scope_gets_exactly_its_rights_everywhere_over_rest_and_graphql(app: TestApp) {
        app.seed_catalogue().await;
        let credentials = credentials(&app).await;
        let mut n = 0;
        let mut mismatches = Vec::new();
        for transport in [Transport::Rest, Transport::GraphQl] {
            for (who, bearer) in &credentials {
                for op in EVERY_OPERATION {
                    let places: &[(&str, bool)] = if op.names_a_unit() { &[("VT-P8", true), ("VT-P1", false)] } else { &[("VT-P8", true)] };
                    for &(unit, inside) in places {
                        n += 1;
                        let cell = Cell { who: *who, op, unit, transport, n };
                        let want = expected(*who, op, inside);
                        let got = attempt(&app, bearer, &cell).await;
                        if got != want {
                            mismatches.push(format!("{transport:?} {who:?} {op:?} {unit}: expected {want:?}, got {got:?}"));
                        }
                        if let Some(exists) = stored(&app, &cell).await {
                            assert_eq!(exists, want == Outcome::Allowed, "{transport:?} {who:?} {op:?} {unit}: stored = {exists}");
                        }
                    }
                }
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        // 7 principals × (6 unit operations × 2 places + 3 others) × 2 transports.
        assert_eq!(n, EVERYONE.len() * 15 * 2);
    }
}
