//! The OpenAPI description at /api/v1/openapi.json (issue 22): served
//! without a token; every route of the API router described, and nothing
//! that is not a route; every reference resolvable; every path parameter
//! declared; and real answers of the API conforming to their schemas, so
//! the description cannot drift from the code.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::{Built, TestApp, build};
use casemark::vocab::UserRole;

async fn description(app: &TestApp) -> Value {
    let reply = app.cookieless_client().get("/api/v1/openapi.json").await;
    reply.assert_status_ok();
    assert!(
        reply
            .header("content-type")
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json"))
    );
    reply.json()
}

/// Every (method, path) the description has, paths as the router writes
/// them (with the server's `/api/v1`).
fn described(doc: &Value) -> BTreeSet<(String, String)> {
    let server = doc["servers"][0]["url"].as_str().expect("a server URL");
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                found.insert((method.to_uppercase(), format!("{server}{path}")));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_api_route_is_described_and_nothing_else() {
    let app = TestApp::spawn().await;
    let doc = description(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let routes: BTreeSet<(String, String)> = casemark::route_list()
        .into_iter()
        .filter(|(_, path)| path.starts_with(casemark::api::PREFIX))
        .map(|(method, path)| (method.to_owned(), path))
        .collect();
    let described = described(&doc);
    let undescribed: Vec<_> = routes.difference(&described).collect();
    let not_routes: Vec<_> = described.difference(&routes).collect();
    assert!(
        undescribed.is_empty(),
        "routes not described: {undescribed:?}"
    );
    assert!(
        not_routes.is_empty(),
        "described but not routes: {not_routes:?}"
    );
    assert!(routes.len() > 40, "{} routes", routes.len());

    // Each operation declares its path's parameters, needs the bearer token
    // (but the description itself), and answers with a described status.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let wanted: BTreeSet<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().expect("operations") {
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(declared, wanted, "{method} {path}: path parameters");
            let public = path == "/openapi.json";
            let security = operation.get("security").unwrap_or(&doc["security"]);
            assert_eq!(
                security == &json!([{"bearer": []}]),
                !public,
                "{method} {path}: security {security}"
            );
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path}: responses"
            );
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    // Operation ids name each operation once, as generators of clients need.
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("operations").values())
        .map(|operation| operation["operationId"].as_str().expect("an operation id"))
        .collect();
    let unique: BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operation ids: {ids:?}");

    // Every reference names a schema the description has.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        assert!(
            resolve(&doc, &reference).is_some(),
            "{reference} is not in the description"
        );
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    refs.extend(v.as_str().map(str::to_owned));
                } else {
                    collect_refs(v, refs);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Where `value` does not conform to `schema`: a JSON path and what is
/// wrong. Checks types, required properties, properties not described
/// (the drift that matters: a field the code writes and the description
/// does not know) and enums, following references and `oneOf`/`allOf`.
fn nonconformities(doc: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = resolve(doc, reference).expect("resolvable");
        return nonconformities(doc, target, value, at, found);
    }
    if schema["allOf"].is_array() {
        // All parts at once (serde's flatten): one object of their
        // properties, for the check of fields not described.
        let mut merged = json!({"type": "object", "properties": {}, "required": []});
        merge_parts(doc, schema, &mut merged);
        return nonconformities(doc, &merged, value, at, found);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let fits = options.iter().any(|option| {
            let mut problems = Vec::new();
            nonconformities(doc, option, value, at, &mut problems);
            problems.is_empty()
        });
        if !fits {
            found.push(format!("{at}: {value} fits none of {options:?}"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    // An integer is a number too.
    let fits = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !fits {
        found.push(format!("{at}: a {kind}, described as {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    match value {
        Value::Object(map) => {
            let properties = schema["properties"].as_object();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !map.contains_key(name) {
                    found.push(format!("{at}.{name}: required, missing"));
                }
            }
            for (key, v) in map {
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => {
                        nonconformities(doc, property, v, &format!("{at}.{key}"), found)
                    }
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => {
                            nonconformities(doc, extra, v, &format!("{at}.{key}"), found)
                        }
                        Some(Value::Bool(true)) => {}
                        _ if properties.is_none() => {}
                        _ => found.push(format!("{at}.{key}: not described")),
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    nonconformities(doc, item, v, &format!("{at}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

/// Adds the properties and required names of `schema` (following
/// references and nested `allOf`) to `merged`.
fn merge_parts(doc: &Value, schema: &Value, merged: &mut Value) {
    let schema = match schema["$ref"].as_str() {
        Some(r) => resolve(doc, r).expect("resolvable"),
        None => schema,
    };
    for part in schema["allOf"].as_array().into_iter().flatten() {
        merge_parts(doc, part, merged);
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            merged["properties"][name] = property.clone();
        }
    }
    if let Some(required) = schema["required"].as_array() {
        merged["required"]
            .as_array_mut()
            .expect("an array")
            .extend(required.iter().cloned());
    }
}

/// The schema of an operation's answer with `status`.
fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let schema =
        &doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} {status} has a JSON schema"
    );
    schema
}

#[tokio::test]
async fn real_answers_conform_to_their_schemas() {
    let app = TestApp::spawn().await;
    let doc = description(&app).await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    // An inspection with some of everything: cases of each kind of answer,
    // domain one judged and confirmed, evidence and a survey item.
    let published = &crate::support::fixtures().pdus[0];
    crate::api::reproduce(&lead, published).await;
    let id = app.count("select min(id) from inspection").await;
    let item: Value = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/staff-survey"))
        .json(&json!({"question": "The culture promotes openness", "positive": 19, "respondents": 36}))
        .await
        .json();
    lead.server
        .post(&format!("/api/v1/inspections/{id}/domain-one/evidence"))
        .json(
            &json!({"question": "1.1.4", "kind": "improvement", "source": "staff_survey",
                      "text": "Only half of staff said so.", "survey_item": item["id"]}),
        )
        .await
        .assert_status(axum::http::StatusCode::CREATED);
    let Built { cases, .. } = build(&lead.server)
        .case(json!({"reference": "S1", "sentence_type": "licence"}))
        .status("fieldwork")
        .await_built()
        .await;
    lead.server
        .put(&format!("/api/v1/cases/{}/judgements", cases[0]))
        .json(&json!({"key_questions": {"2.1.1": {"answer": "no", "rationale": "Thin.", "quote": true}}}))
        .await
        .assert_status_ok();
    let case = app.case_ids(id).await[0];
    let checks: Vec<(&str, String, String)> = vec![
        ("get", "/inspections".into(), "/api/v1/inspections".into()),
        (
            "get",
            "/inspections/{id}/ratings".into(),
            format!("/api/v1/inspections/{id}/ratings"),
        ),
        (
            "get",
            "/inspections/{id}/domain-one".into(),
            format!("/api/v1/inspections/{id}/domain-one"),
        ),
        (
            "get",
            "/inspections/{id}/staff-survey".into(),
            format!("/api/v1/inspections/{id}/staff-survey"),
        ),
        (
            "get",
            "/inspections/{id}/report".into(),
            format!("/api/v1/inspections/{id}/report"),
        ),
        (
            "get",
            "/inspections/{id}/history".into(),
            format!("/api/v1/inspections/{id}/history"),
        ),
        (
            "get",
            "/inspections/{id}/qa".into(),
            format!("/api/v1/inspections/{id}/qa"),
        ),
        (
            "get",
            "/inspections/{id}/fieldwork".into(),
            format!("/api/v1/inspections/{id}/fieldwork"),
        ),
        ("get", "/cases/{id}".into(), format!("/api/v1/cases/{case}")),
        (
            "get",
            "/cases/{id}/history".into(),
            format!("/api/v1/cases/{}", cases[0]) + "/history",
        ),
        ("get", "/national".into(), "/api/v1/national".into()),
    ];
    let mut problems = Vec::new();
    for (method, path, url) in checks {
        let reply = lead.server.get(&url).await;
        assert_eq!(reply.status_code(), 200, "{url}: {}", reply.text());
        let schema = response_schema(&doc, method, &path, "200");
        nonconformities(&doc, schema, &reply.json(), &url, &mut problems);
    }
    // An error body too.
    let refused = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": ""}))
        .await;
    assert_eq!(refused.status_code(), 422);
    let schema = response_schema(&doc, "post", "/inspections", "422");
    nonconformities(&doc, schema, &refused.json(), "422", &mut problems);
    assert!(
        problems.is_empty(),
        "answers that do not conform:\n{}",
        problems.join("\n")
    );
}

/// The conformance check itself finds drift: a field the description does
/// not know, a value outside an enum, a missing required field, a wrong type.
#[tokio::test]
async fn the_conformance_check_finds_drift() {
    let app = TestApp::spawn().await;
    let doc = description(&app).await;
    let schema = response_schema(&doc, "get", "/inspections", "200");
    let good = json!([{"id": 1, "level": "pdu", "pdu": "Gwent", "region": "Wales",
        "fieldwork_start": "2025-09-08", "sample_week_1": null, "sample_week_2": null,
        "status": "setup", "cases_total": 0, "cases_complete": 0}]);
    let mut problems = Vec::new();
    nonconformities(&doc, schema, &good, "good", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    let mut bad = good.clone();
    bad[0]["colour"] = json!("blue");
    bad[0]["status"] = json!("Setup");
    bad[0]["cases_total"] = json!("none");
    bad[0].as_object_mut().expect("object").remove("pdu");
    nonconformities(&doc, schema, &bad, "bad", &mut problems);
    problems.sort();
    assert_eq!(
        problems,
        [
            "bad[0].cases_total: a string, described as [\"integer\"]",
            "bad[0].colour: not described",
            "bad[0].pdu: required, missing",
            "bad[0].status: \"Setup\" is not one of [String(\"setup\"), String(\"fieldwork\"), String(\"moderation\"), String(\"published\")]",
        ]
    );
}
