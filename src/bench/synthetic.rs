//! A deterministic synthetic nation: provinces, districts and communes, 60 data elements,
//! 45 ratio indicators with targets, and a figure for every commune, element and month.

use serde_json::{Value, json};

/// Sizes of a synthetic nation.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// `small` or `national`.
    pub name: &'static str,
    /// Provinces under the nation.
    pub provinces: usize,
    /// Districts over all provinces.
    pub districts: usize,
    /// Communes over all districts.
    pub communes: usize,
}

/// Elements, indicators and months are the same at every scale.
pub const ELEMENTS: usize = 60;
/// Ratio indicators.
pub const INDICATORS: usize = 45;
/// Months of data (all of 2023).
pub const MONTHS: usize = 12;
/// The last few elements are stocks, rolled up with `last`.
pub const STOCKS: usize = 4;

impl Scale {
    /// 63 provinces, 705 districts, 10 599 communes: ≈ 7.6 M figures.
    pub const NATIONAL: Scale = Scale {
        name: "national",
        provinces: 63,
        districts: 705,
        communes: 10_599,
    };
    /// A quick run of the same shape: ≈ 144 000 figures.
    pub const SMALL: Scale = Scale {
        name: "small",
        provinces: 4,
        districts: 20,
        communes: 200,
    };

    /// How many figures the nation holds.
    pub fn values(&self) -> usize {
        self.communes * ELEMENTS * MONTHS
    }
}

/// Spreads `n` children over `m` parents as evenly as possible: the parent of child `i`.
fn parent_of(i: usize, n: usize, m: usize) -> usize {
    // The first n % m parents get one child more.
    let base = n / m;
    let extra = n % m;
    let big = extra * (base + 1);
    if i < big {
        i / (base + 1)
    } else {
        extra + (i - big) / base.max(1)
    }
}

/// Code of province `p`, district `d`, commune `c` (0-based global indexes).
pub fn province_code(p: usize) -> String {
    format!("P{:02}", p + 1)
}

fn district_code(d: usize) -> String {
    format!("D{:03}", d + 1)
}

/// Code of commune `c`.
pub fn commune_code(c: usize) -> String {
    format!("C{:05}", c + 1)
}

/// Code of element `e`.
pub fn element_code(e: usize) -> String {
    format!("E{:02}", e + 1)
}

/// The metadata bundle: tree, elements, indicators, national and provincial targets.
pub fn metadata(scale: &Scale) -> Value {
    let mut units = vec![json!({"code": "VN", "name": "Việt Nam", "kind": "nation"})];
    for p in 0..scale.provinces {
        units.push(json!({"code": province_code(p), "name": format!("Tỉnh {}", p + 1), "parent": "VN", "kind": "province"}));
    }
    for d in 0..scale.districts {
        let p = parent_of(d, scale.districts, scale.provinces);
        units.push(json!({"code": district_code(d), "name": format!("Huyện {}", d + 1), "parent": province_code(p), "kind": "district"}));
    }
    for c in 0..scale.communes {
        let d = parent_of(c, scale.communes, scale.districts);
        units.push(json!({"code": commune_code(c), "name": format!("Xã {}", c + 1), "parent": district_code(d), "kind": "commune"}));
    }
    let elements: Vec<Value> = (0..ELEMENTS)
        .map(|e| {
            let aggregation = if e >= ELEMENTS - STOCKS { "last" } else { "sum" };
            json!({"code": element_code(e), "name": format!("Chỉ số {}", e + 1), "value_type": "integer", "aggregation": aggregation})
        })
        .collect();
    // Indicator k: E_k / (E_k + E_{k+15}), k = 1..45, so every element is used.
    let indicators: Vec<Value> = (0..INDICATORS)
        .map(|k| {
            let (a, b) = (element_code(k), element_code(k + ELEMENTS - INDICATORS));
            json!({"code": format!("I{:02}", k + 1), "name": format!("Tỷ lệ {}", k + 1), "group": "synthetic",
                   "numerator": format!("#{{{a}}}"), "denominator": format!("#{{{a}}} + #{{{b}}}"),
                   "factor": 100, "decimals": 2})
        })
        .collect();
    let mut targets = Vec::new();
    for k in 0..INDICATORS {
        targets.push(json!({"indicator": format!("I{:02}", k + 1), "org_unit": "VN", "period": "2023", "operator": ">=", "value": 50, "label": "national"}));
        for p in 0..scale.provinces.min(10) {
            targets.push(json!({"indicator": format!("I{:02}", k + 1), "org_unit": province_code(p), "period": "2023", "operator": ">=", "value": 48.5, "label": "provincial"}));
        }
    }
    json!({"org_units": units, "data_elements": elements, "indicators": indicators, "targets": targets})
}

/// A deterministic figure for (commune, element, month): 1..=1000.
pub fn figure(c: usize, e: usize, m: usize) -> i64 {
    let mut x = (c as u64) << 20 ^ (e as u64) << 8 ^ m as u64;
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x % 1000) as i64 + 1
}

/// Every figure, in (commune, element, month) order, as (commune, element, month, value).
pub fn figures(scale: &Scale) -> impl Iterator<Item = (usize, usize, usize, i64)> {
    let communes = scale.communes;
    (0..communes).flat_map(|c| {
        (0..ELEMENTS).flat_map(move |e| (0..MONTHS).map(move |m| (c, e, m, figure(c, e, m))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_spread_over_every_parent() {
        let scale = Scale::NATIONAL;
        let mut counts = vec![0usize; scale.provinces];
        for d in 0..scale.districts {
            counts[parent_of(d, scale.districts, scale.provinces)] += 1;
        }
        assert!(counts.iter().all(|&n| n == 11 || n == 12));
        assert_eq!(counts.iter().sum::<usize>(), 705);
        assert_eq!(
            parent_of(scale.communes - 1, scale.communes, scale.districts),
            scale.districts - 1
        );
    }

    #[test]
    fn the_national_scale_holds_about_seven_point_six_million_figures() {
        assert_eq!(Scale::NATIONAL.values(), 7_631_280);
    }

    #[test]
    fn figures_are_deterministic_and_in_range() {
        assert_eq!(figure(1, 2, 3), figure(1, 2, 3));
        assert!(figures(&Scale::SMALL).all(|(_, _, _, v)| (1..=1000).contains(&v)));
    }
}
