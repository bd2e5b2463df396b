import express from "express";

const port = Number(process.env.PORT ?? 3000);
const app = express();
app.use(express.json());

type Order = { id: number; item: string; quantity: number };
const orders: Order[] = [];

app.get("/healthz", (_request, response) => {
  response.json({ status: "ok" });
});

app.get("/orders", (_request, response) => {
  response.json(orders);
});

app.post("/orders", (request, response) => {
  const { item, quantity } = request.body ?? {};
  if (typeof item !== "string" || !Number.isInteger(quantity) || quantity < 1) {
    response.status(400).json({ error: "item must be text and quantity a positive whole number" });
    return;
  }
  const order = { id: orders.length + 1, item, quantity };
  orders.push(order);
  response.status(201).json(order);
});

const server = app.listen(port, () => {
  console.log(`orders-api listening on port ${port}`);
});

// docker stop sends SIGTERM: finish open requests, then exit.
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});
