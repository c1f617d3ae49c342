// Starting code generated from solutions/03_get/src/catalogue.rs by `cargo run -- dev sync`.
//! The shop's catalogue: what a product is, and the three products every
//! chapter starts with.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// One product of the shop's catalogue, exactly as it travels in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub price_cents: i64,
    pub category: String,
}

/// The catalogue, shared by every request. It is read-only in this chapter,
/// so an `Arc` is all the sharing it needs.
#[derive(Clone)]
pub struct AppState {
    pub(crate) products: Arc<BTreeMap<u64, Product>>,
}

impl AppState {
    /// The three seed products every chapter starts with.
    pub fn seeded() -> AppState {
        let seeds = [
            (1, "Espresso beans 1kg", 1899, "coffee"),
            (2, "Oat milk 1l", 249, "dairy-free"),
            (3, "Paper filters x100", 399, "accessories"),
        ];
        let products = seeds
            .into_iter()
            .map(|(id, name, price_cents, category)| {
                let product = Product {
                    id,
                    name: name.to_owned(),
                    price_cents,
                    category: category.to_owned(),
                };
                (id, product)
            })
            .collect();
        AppState {
            products: Arc::new(products),
        }
    }
}
