//! Commands that change one asset: edit, the workflow steps, set-spot. The CLI acts as the
//! local operator, an admin.

use anyhow::{bail, Result};

use super::args::{EditArgs, StepArgs};
use super::listing::{describe, print};
use super::{operator, parse_time, Opened};
use brandvault::catalog::Patch;
use brandvault::workflow::{Action, Step};

/// `edit ID --caption-vi … --tag …`
pub(super) fn edit(lib: &Opened, args: EditArgs, json: bool) -> Result<i32> {
    let id = lib.catalog.resolve(&args.id)?;
    let clear = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
    let date = |v: Option<String>| -> Result<Option<Option<String>>> {
        v.map(|s| {
            if s == "none" {
                Ok(None)
            } else {
                parse_time(&s).map(Some)
            }
        })
        .transpose()
    };
    let consent = match args.consent.as_deref() {
        None => None,
        Some("yes") => Some(Some(true)),
        Some("no") => Some(Some(false)),
        Some("none") => Some(None),
        Some(other) => bail!("--consent takes yes, no or none, not {other:?}"),
    };
    let focus = match args.focus.as_deref().map(brandvault::model::Focus::parse) {
        None => None,
        Some(Some(focus)) => Some(focus),
        Some(None) => bail!("--focus takes x,y (fractions between 0 and 1) or centre"),
    };
    let patch = Patch {
        caption_vi: clear(args.caption_vi),
        caption_en: clear(args.caption_en),
        title_vi: clear(args.title_vi),
        title_en: clear(args.title_en),
        credit: clear(args.credit),
        copyright: clear(args.copyright),
        license: clear(args.license),
        expires_at: date(args.expires)?,
        available_from: date(args.available_from)?,
        consent,
        access: args.access,
        add_tags: args.tags,
        remove_tags: args.untags,
        focus,
    };
    let library = lib.library()?;
    let asset = library.workflow().edit(&id, patch, &operator(), &lib.now)?;
    print(json, &asset, || describe(&asset))
}

/// `submit/approve/reject/archive/reopen ID`: exit code 3 when the step is refused.
pub(super) fn step(lib: &Opened, a: StepArgs, action: Action, json: bool) -> Result<i32> {
    let id = lib.catalog.resolve(&a.id)?;
    let library = lib.library()?;
    let step = Step {
        reason: a.reason.as_deref(),
        justification: a.justification.as_deref(),
        access: None,
    };
    match library
        .workflow()
        .transition(&id, action, &operator(), step, &lib.now)
    {
        Ok(asset) => print(json, &asset, || describe(&asset)),
        Err(e) => {
            if json {
                let body = serde_json::json!({"code": e.code(), "message": e.to_string()});
                super::output::out(&format!("{}\n", serde_json::to_string_pretty(&body)?))?;
            }
            super::output::complain(&e.to_string());
            Ok(3)
        }
    }
}

/// `set-spot ID SPOT|none`: a person's choice, never overwritten by retagging.
pub(super) fn set_spot(lib: &Opened, id: &str, spot: &str, json: bool) -> Result<i32> {
    let id = lib.catalog.resolve(id)?;
    let library = lib.library()?;
    let asset = library
        .workflow()
        .choose_spot(&id, Some(spot).filter(|s| *s != "none"), "cli", &lib.now)
        .map_err(|e| match e {
            brandvault::workflow::WorkflowError::UnknownSpot(_) => {
                anyhow::anyhow!("{e} in brand/spots.toml")
            }
            e => e.into(),
        })?;
    print(json, &asset, || describe(&asset))
}
