use serde::{Deserialize, Serialize};

/// A named check-in spot of the brand's gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Spot {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub lat: f64,
    pub lon: f64,
    /// Tagging radius around the centre.
    pub radius_m: f64,
    /// How far the true centre may be from (lat, lon): the point is not survey-grade.
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub source: Option<String>,
    /// Other names people search for.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// An outline for large areas (a national park): a ring of `[lon, lat]` points.
    #[serde(default)]
    pub polygon: Option<Vec<[f64; 2]>>,
}

/// The bounding box of the brand's territory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Extent {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl Extent {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// The check-in spots and the territory they lie in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Gazetteer {
    pub extent: Option<Extent>,
    #[serde(rename = "spot", default)]
    pub spots: Vec<Spot>,
    /// The borders round the territory (brand/basemap.toml), drawn under the maps.
    #[serde(skip)]
    pub basemap: Option<Basemap>,
}

/// Country and province borders round the territory, clipped to a box: the context of the
/// offline maps (where the province lies, what it borders).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// The box the areas are clipped to, which the maps show.
    #[serde(rename = "box")]
    pub bounds: Extent,
    #[serde(rename = "area", default)]
    pub areas: Vec<Area>,
}

/// One country or province, as rings of `[lon, lat]` points.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub kind: AreaKind,
    pub name_vi: String,
    pub name_en: String,
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// What an area is to the map: the province's own country, a country beyond the border, the
/// border itself (open lines, without the box's edges), the brand's province or one next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Home,
    Country,
    Border,
    Province,
    Neighbour,
}

impl AreaKind {
    /// The CSS class the maps draw it with.
    pub fn class(self) -> &'static str {
        match self {
            AreaKind::Home => "home",
            AreaKind::Country => "country",
            AreaKind::Border => "border",
            AreaKind::Province => "province",
            AreaKind::Neighbour => "neighbour",
        }
    }
}

impl Gazetteer {
    /// Finds a spot by id, or by name or alias ignoring case and diacritics ("bu lach" finds
    /// Trảng cỏ Bù Lạch). A partial name must match exactly one spot.
    pub fn find(&self, query: &str) -> Option<&Spot> {
        if let Some(s) = self.spots.iter().find(|s| s.id == query) {
            return Some(s);
        }
        let q = super::text::fold(query);
        if q.is_empty() {
            return None;
        }
        let names = |s: &Spot| {
            let mut n = vec![super::text::fold(&s.name_vi), super::text::fold(&s.name_en)];
            n.extend(s.aliases.iter().map(|a| super::text::fold(a)));
            n
        };
        if let Some(s) = self.spots.iter().find(|s| names(s).contains(&q)) {
            return Some(s);
        }
        let mut partial = self
            .spots
            .iter()
            .filter(|s| names(s).iter().any(|n| super::text::matches(&q, n)));
        match (partial.next(), partial.next()) {
            (Some(s), None) => Some(s),
            _ => None,
        }
    }
}
