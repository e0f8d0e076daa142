//! GET /: the catalogue. Newest first, a count, pages of 48, filters that say what is wrong
//! with them next to the field (400) rather than failing the page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::cards::{card, Card};
use super::{respond, Chrome, Lang};
use crate::brand::Brand;
use crate::catalog::Filter;
use crate::http::ListQuery;
use crate::http::{signed_in, ApiError, State};
use crate::model::Kind;

const PER_PAGE: usize = 48;
/// Highest page number taken (a million pages of pictures; anything larger is this).
const MAX_PAGE: usize = 1_000_000;

/// The catalogue form as typed: every field a string, so nothing a person types fails the page.
#[derive(Default)]
struct Form {
    q: String,
    spot: String,
    theme: String,
    audience: String,
    kind: String,
    from: String,
    to: String,
    page: usize,
}

impl Form {
    fn parse(query: &str) -> Form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let mut form = Form {
            page: 1,
            ..Form::default()
        };
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "q" => form.q = value,
                "spot" => form.spot = value,
                "theme" => form.theme = value,
                "audience" => form.audience = value,
                "kind" => form.kind = value,
                "from" => form.from = value,
                "to" => form.to = value,
                // Clamped, never wrapped: a page past the last shows the empty last page.
                "page" => form.page = value.parse().unwrap_or(1).clamp(1, MAX_PAGE),
                _ => {}
            }
        }
        form
    }

    /// The catalogue filter by the API's own rules (`ListQuery::filter`), or the fields that
    /// are wrong with the message for each: each given field is also tried alone, so the page
    /// can say which one it is.
    fn filter(&self, brand: &Brand) -> Result<Filter, Vec<(&'static str, &'static str)>> {
        let given = |v: &String| (!v.is_empty()).then(|| v.clone());
        let mut errors = Vec::new();
        let kind = match given(&self.kind).map(|k| k.parse::<Kind>()) {
            Some(Err(_)) => {
                errors.push(("kind", "filter.bad_value"));
                None
            }
            other => other.and_then(Result::ok),
        };
        let alone = [
            (
                "theme",
                "filter.bad_value",
                ListQuery {
                    theme: given(&self.theme),
                    ..Default::default()
                },
            ),
            (
                "audience",
                "filter.bad_value",
                ListQuery {
                    audience: given(&self.audience),
                    ..Default::default()
                },
            ),
            (
                "from",
                "filter.bad_date",
                ListQuery {
                    from: given(&self.from),
                    ..Default::default()
                },
            ),
            (
                "to",
                "filter.bad_date",
                ListQuery {
                    to: given(&self.to),
                    ..Default::default()
                },
            ),
        ];
        for (field, message, query) in alone {
            if query.filter(brand).is_err() {
                errors.push((field, message));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        ListQuery {
            kind,
            spot: given(&self.spot),
            theme: given(&self.theme),
            audience: given(&self.audience),
            from: given(&self.from),
            to: given(&self.to),
            q: given(&self.q),
            ..Default::default()
        }
        .filter(brand)
        .map_err(|_| vec![("q", "filter.bad_value")])
    }

    fn is_filtered(&self) -> bool {
        [
            &self.spot,
            &self.theme,
            &self.audience,
            &self.kind,
            &self.from,
            &self.to,
        ]
        .iter()
        .any(|v| !v.is_empty())
    }

    /// This form's address at another page.
    fn href(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("spot", &self.spot),
            ("theme", &self.theme),
            ("audience", &self.audience),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            "/".into()
        } else {
            format!("/?{query}")
        }
    }
}

/// A choice of a filter's drop-down list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One drop-down filter, with its error if the value given was not valid.
struct Select {
    name: &'static str,
    label: &'static str,
    all: &'static str,
    choices: Vec<Choice>,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    q: String,
    selects: Vec<Select>,
    from: String,
    to: String,
    from_error: Option<&'static str>,
    to_error: Option<&'static str>,
    filtered: bool,
    count: String,
    showing: String,
    cards: Vec<Card>,
    empty: Option<String>,
    previous: Option<String>,
    next: Option<String>,
    page_of: String,
    collect: Option<Collecting>,
}

/// What a signed-in reader needs to add the pictures they tick to one of their collections.
struct Collecting {
    csrf: String,
    /// Their collections, newest first: (id, name).
    mine: Vec<(String, String)>,
}

/// `Collecting` for a reader signed in with `session`; none for everyone else.
async fn collecting(
    state: &State,
    session: Option<crate::http::session::Session>,
) -> Result<Option<Collecting>, ApiError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let (st, actor) = (state.clone(), session.actor.clone());
    let mine = web::block(move || st.collections().owned_by(&actor)).await??;
    Ok(Some(Collecting {
        csrf: session.csrf,
        mine: mine.into_iter().map(|c| (c.id, c.name)).collect(),
    }))
}

fn choices(
    lang: Lang,
    current: &str,
    items: impl Iterator<Item = (String, String, String)>,
) -> Vec<Choice> {
    items
        .map(|(value, vi, en)| Choice {
            selected: value == current,
            label: lang.pick(&vi, &en).to_owned(),
            value,
        })
        .collect()
}

fn selects(
    state: &crate::http::AppState,
    lang: Lang,
    form: &Form,
    errors: &[(&str, &'static str)],
) -> Vec<Select> {
    let error = |name: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| lang.t(m))
    };
    let vocabulary = state.brand.guidelines.as_ref().map(|g| &g.vocabulary);
    let terms = |audiences: bool| {
        vocabulary
            .map(|v| if audiences { &v.audiences } else { &v.themes })
            .into_iter()
            .flatten()
            .map(|t| (t.id.clone(), t.vi.clone(), t.en.clone()))
    };
    let spots = state
        .brand
        .gazetteer
        .spots
        .iter()
        .map(|s| (s.id.clone(), s.name_vi.clone(), s.name_en.clone()));
    let kinds = [Kind::Photo, Kind::Video, Kind::Logo].into_iter().map(|k| {
        let key = format!("kinds.{}", k.as_str());
        (
            k.as_str().to_owned(),
            Lang::Vi.t(&key).to_owned(),
            Lang::En.t(&key).to_owned(),
        )
    });
    let theme = term_id(state, false, &form.theme);
    let audience = term_id(state, true, &form.audience);
    let spot = state
        .brand
        .gazetteer
        .find(&form.spot)
        .map_or(form.spot.clone(), |s| s.id.clone());
    vec![
        Select {
            name: "spot",
            label: lang.t("catalogue.spot"),
            all: lang.t("catalogue.all_spots"),
            choices: choices(lang, &spot, spots),
            error: error("spot"),
        },
        Select {
            name: "theme",
            label: lang.t("catalogue.theme"),
            all: lang.t("catalogue.all_themes"),
            choices: choices(lang, &theme, terms(false)),
            error: error("theme"),
        },
        Select {
            name: "audience",
            label: lang.t("catalogue.audience"),
            all: lang.t("catalogue.all_audiences"),
            choices: choices(lang, &audience, terms(true)),
            error: error("audience"),
        },
        Select {
            name: "kind",
            label: lang.t("catalogue.kind"),
            all: lang.t("catalogue.all_kinds"),
            choices: choices(lang, &form.kind, kinds),
            error: error("kind"),
        },
    ]
}

/// A vocabulary term named in a link by id or name, as the id the drop-down knows.
fn term_id(state: &crate::http::AppState, audiences: bool, given: &str) -> String {
    state
        .brand
        .term(audiences, given)
        .map_or_else(|| given.to_owned(), |t| t.id.clone())
}

/// GET /: the catalogue.
pub async fn catalogue(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // One lookup gives the reader and, signed in, the session its collect form needs.
    let (viewer, session) = signed_in(&state, &req, None).await?;
    let chrome = Chrome::new(&state, &req, Some(&viewer));
    let lang = chrome.lang;
    let staff = viewer.actor.as_ref().is_some_and(|a| a.role.edits());
    let form = Form::parse(req.query_string());
    let (filter, errors) = match form.filter(&state.brand) {
        Ok(f) => (Some(f), Vec::new()),
        Err(errors) => (None, errors),
    };
    let browse = match filter {
        Some(filter) => {
            let filter = Filter {
                viewer: Some(viewer),
                ..filter
            };
            let offset = (form.page - 1) * PER_PAGE;
            let st = state.clone();
            Some(web::block(move || st.catalog.browse(&filter, offset, PER_PAGE)).await??)
        }
        None => None,
    };
    let (total, assets) = browse.map_or((0, Vec::new()), |b| (b.total, b.assets));
    let pages = total.div_ceil(PER_PAGE).max(1);
    let first = (form.page - 1) * PER_PAGE;
    let count = match total {
        1 => lang.t("catalogue.count_one").to_owned(),
        n => lang.fill("catalogue.count_many", &[("n", &lang.number(n as u64))]),
    };
    let showing = if total > assets.len() && !assets.is_empty() {
        lang.fill(
            "catalogue.showing",
            &[
                ("from", &lang.number(first as u64 + 1)),
                ("to", &lang.number((first + assets.len()) as u64)),
            ],
        )
    } else {
        String::new()
    };
    let empty = assets.is_empty().then(|| {
        if !errors.is_empty() {
            lang.t("filter.error_title").to_owned()
        } else if !form.q.is_empty() {
            lang.fill("catalogue.empty_search", &[("q", &form.q)])
        } else if form.is_filtered() {
            lang.t("catalogue.empty_filters").to_owned()
        } else {
            lang.t("catalogue.empty").to_owned()
        }
    });
    let error = |name: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| lang.t(m))
    };
    let collect = collecting(&state, session).await?;
    let page = CataloguePage {
        selects: selects(&state, lang, &form, &errors),
        from_error: error("from"),
        to_error: error("to"),
        q: form.q.clone(),
        from: form.from.clone(),
        to: form.to.clone(),
        filtered: form.is_filtered() || !form.q.is_empty(),
        count,
        showing,
        cards: assets
            .iter()
            .map(|a| Card {
                pick: collect.as_ref().map(|_| a.id.to_hex()),
                ..card(lang, &state.brand, a, staff)
            })
            .collect(),
        collect,
        empty,
        previous: (form.page > 1).then(|| form.href(form.page - 1)),
        next: (form.page < pages).then(|| form.href(form.page + 1)),
        page_of: lang.fill(
            "paging.page",
            &[("n", &form.page.to_string()), ("of", &pages.to_string())],
        ),
        chrome: chrome.titled(lang.t("catalogue.title"), "library"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    respond(&req, status, &page)
}
