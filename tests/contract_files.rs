//! The checked-in contract files are what the server serves: each test regenerates its file
//! and fails when the checked-in copy was stale (run the tests again after committing it).
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn ensure_file_contents(relative: &str, contents: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == contents {
        return;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    panic!("{relative} was stale and has been rewritten: review and commit it");
}

#[test]
fn schema_graphql_matches_the_served_schema() {
    let sdl = chitieu_api::graphql::schema(&chitieu_api::Config::new("sqlite::memory:"))
        .sdl_with_options(
            async_graphql::SDLExportOptions::new()
                .sorted_fields()
                .sorted_arguments()
                .sorted_enum_items(),
        );
    ensure_file_contents("schema.graphql", &sdl);
}

#[test]
fn openapi_json_matches_the_served_document() {
    let mut json = chitieu_api::openapi().to_pretty_json().unwrap();
    json.push('\n');
    ensure_file_contents("openapi/openapi.json", &json);
}

/// Every type and every field of the served schema carries a description (they are the
/// documentation a frontend developer reads in GraphiQL).
#[tokio::test]
async fn every_graphql_type_and_field_is_documented() {
    let schema = chitieu_api::graphql::schema(&chitieu_api::Config::new("sqlite::memory:"));
    let response = schema
        .execute("{ __schema { types { name description fields { name description } inputFields { name description } } } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let mut undocumented = Vec::new();
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if ty["description"].as_str().is_none_or(str::is_empty) {
            undocumented.push(name.to_owned());
        }
        for list in ["fields", "inputFields"] {
            for field in ty[list].as_array().into_iter().flatten() {
                if field["description"].as_str().is_none_or(str::is_empty) {
                    undocumented.push(format!("{name}.{}", field["name"].as_str().unwrap()));
                }
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}
