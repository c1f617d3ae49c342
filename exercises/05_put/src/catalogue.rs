// Starting code generated from solutions/05_put/src/catalogue.rs by `cargo run -- dev sync`.
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

/// The catalogue, shared by every request. Handlers now change it, so it sits
/// behind a `Mutex`: one request at a time may touch it, and none sees a
/// half-done change. The guard is always dropped before any `.await`.
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
    /// Picks the next id and stores the product, in one step under the lock,
    /// so two concurrent POSTs can never get the same id. These ids may go on
    /// past `MAX_CLIENT_ID`, the top of what a PUT may choose, up to `u64::MAX`:
    /// after the highest PUT, 2^64 - 2^53 POSTs are left before the 507.
    pub(crate) fn create(&mut self, new: NewProduct) -> Result<Product, ApiError> {
        let id = self.last_id.checked_add(1).ok_or(ApiError::IdsExhausted)?;
        self.last_id = id;
        let product = new.with_id(id);
        self.products.insert(id, product.clone());
        Ok(product)
    }
}

impl Catalogue {
    // TODO: raise `self.last_id` to `product.id` if that is higher (`u64::max`),
    //     so a later POST never picks this id, then store the product with
    //     `self.products.insert(product.id, product)`. `insert` hands back the
    //     old value, if there was one: return true when there was none.
    pub(crate) fn put(&mut self, product: Product) -> bool {
        todo!("store the product; return true if its id was new")
    }
}
