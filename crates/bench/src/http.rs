//! A signed-in person over HTTP/1.1: their session cookie and CSRF token,
//! sent with every request, as a browser would.

use std::collections::HashMap;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(512)
        .build_http()
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("request failed: {0}")]
    Request(String),
    #[error("unexpected status {0} for {1}")]
    Status(StatusCode, String),
    #[error("no CSRF token on {0}")]
    NoToken(String),
}

#[derive(Debug, Clone)]
pub struct Session {
    client: HttpClient,
    base: String,
    cookies: HashMap<String, String>,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

fn token_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl Session {
    /// A client with no session yet.
    pub fn anonymous(client: &HttpClient, base: &str) -> Session {
        Session {
            client: client.clone(),
            base: base.to_owned(),
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(
        client: &HttpClient,
        base: &str,
        email: &str,
        password: &str,
    ) -> Result<Session, HttpError> {
        let mut session = Session::anonymous(client, base);
        let form = session.get("/sign-in").await?;
        let anonymous = token_in(&String::from_utf8_lossy(&form.body))
            .ok_or_else(|| HttpError::NoToken("/sign-in".into()))?;
        let signed_in = session
            .post(
                "/sign-in",
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf_token", &anonymous),
                    ("next", "/"),
                ],
            )
            .await?;
        if signed_in.status != StatusCode::SEE_OTHER {
            return Err(HttpError::Status(signed_in.status, "/sign-in".into()));
        }
        let home = session.get("/my-cases").await?;
        session.csrf = token_in(&String::from_utf8_lossy(&home.body))
            .ok_or_else(|| HttpError::NoToken("/my-cases".into()))?;
        Ok(session)
    }

    /// The same person (the same cookies) at another instance of the
    /// server, as a load balancer would send them.
    pub fn at(&self, base: &str) -> Session {
        Session {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    /// Opens an event stream (`Accept: text/event-stream`): the body,
    /// whose frames arrive as the server sends events.
    pub async fn events(&self, path: &str) -> Result<hyper::body::Incoming, HttpError> {
        let request = Request::get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT, "text/event-stream")
            .body(Full::new(Bytes::new()))
            .map_err(|e| HttpError::Request(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| HttpError::Request(e.to_string()))?;
        if response.status() != StatusCode::OK {
            return Err(HttpError::Status(response.status(), path.to_owned()));
        }
        Ok(response.into_body())
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Reply, HttpError> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| HttpError::Request(e.to_string()))?;
        for value in response.headers().get_all(header::SET_COOKIE) {
            if let Some((name, rest)) = value.to_str().unwrap_or_default().split_once('=') {
                let value = rest.split(';').next().unwrap_or_default();
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| HttpError::Request(e.to_string()))?
            .to_bytes();
        Ok(Reply { status, body })
    }

    pub async fn get(&mut self, path: &str) -> Result<Reply, HttpError> {
        let request = Request::get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .body(Full::new(Bytes::new()))
            .map_err(|e| HttpError::Request(e.to_string()))?;
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Result<Reply, HttpError> {
        let body =
            serde_urlencoded::to_string(form).map_err(|e| HttpError::Request(e.to_string()))?;
        let request = Request::post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| HttpError::Request(e.to_string()))?;
        self.send(request).await
    }
}
