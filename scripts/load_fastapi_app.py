"""The FastAPI side of `scripts/load`: the smallest app that serves the shop's
`GET /products/{id}` as chapter 3 does, the three seed products from memory,
so that the load check compares two servers doing the same work.

    uvicorn --app-dir scripts load_fastapi_app:app --http httptools --loop uvloop
"""

from fastapi import FastAPI, HTTPException

app = FastAPI()

PRODUCTS = {
    1: {"id": 1, "name": "Espresso beans 1kg", "price_cents": 1899, "category": "coffee"},
    2: {"id": 2, "name": "Oat milk 1l", "price_cents": 249, "category": "dairy-free"},
    3: {"id": 3, "name": "Paper filters x100", "price_cents": 399, "category": "accessories"},
}


@app.get("/products/{product_id}")
async def get_product(product_id: int):
    product = PRODUCTS.get(product_id)
    if product is None:
        raise HTTPException(status_code=404, detail=f"there is no product with id {product_id}")
    return product
