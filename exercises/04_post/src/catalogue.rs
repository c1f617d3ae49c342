// Starting code generated from solutions/04_post/src/catalogue.rs by `cargo run -- dev sync`.
//! The shop's catalogue: the products, the highest id ever handed out, and
//! the operations that change them, each done whole under one lock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::{ApiError, NewProduct};

/// One product of the shop's catalogue, exactly as it travels in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub price_cents: i64,
    pub category: String,
}

/// The catalogue, shared by every request. New this chapter: POST changes it,
/// so the `Arc<BTreeMap>` of chapter 3 became an `Arc<Mutex<...>>`. An `Arc`
/// alone only shares data for reading; the `Mutex` lets one request at a time
/// change it, and no request ever sees a half-done change. Lock with
/// `state.catalogue()`, and let the guard go before any `.await`: a
/// `std::sync::Mutex` guard held across an `.await` can stall the server.
#[derive(Clone)]
pub struct AppState {
    catalogue: Arc<Mutex<Catalogue>>,
}

/// The products, and the highest id ever handed out. `last_id` only grows:
/// deleting the newest product must not free its id for the next POST.
pub(crate) struct Catalogue {
    pub(crate) products: BTreeMap<u64, Product>,
    pub(crate) last_id: u64,
}

impl AppState {
    /// The three seed products every chapter starts with.
    pub fn seeded() -> AppState {
        let seeds = [
            (1, "Espresso beans 1kg", 1899, "coffee"),
            (2, "Oat milk 1l", 249, "dairy-free"),
            (3, "Paper filters x100", 399, "accessories"),
        ];
        let products: BTreeMap<u64, Product> = seeds
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
        let last_id = products.keys().max().copied().unwrap_or(0);
        AppState {
            catalogue: Arc::new(Mutex::new(Catalogue { products, last_id })),
        }
    }

    /// Locks the catalogue. A panic in another request while it held the lock
    /// "poisons" the mutex; every change here is a single map operation, so the
    /// data is still whole and we carry on rather than fail every later request.
    pub(crate) fn catalogue(&self) -> MutexGuard<'_, Catalogue> {
        self.catalogue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl NewProduct {
    /// The product as the catalogue stores it, under the id it was given.
    pub(crate) fn with_id(self, id: u64) -> Product {
        Product {
            id,
            name: self.name,
            price_cents: self.price_cents,
            category: self.category,
        }
    }
}

impl Catalogue {
    // TODO: the next id is `self.last_id + 1`; use `checked_add(1)` and
    //     `.ok_or(ApiError::IdsExhausted)?` so that it cannot overflow. Record it
    //     in `self.last_id`, build the product with `new.with_id(id)`, insert a
    //     clone into `self.products` and return it. Doing all of this while the
    //     caller holds the lock is what keeps two POSTs from getting one id.
    pub(crate) fn create(&mut self, new: NewProduct) -> Result<Product, ApiError> {
        todo!("assign the next id and store the product")
    }
}
