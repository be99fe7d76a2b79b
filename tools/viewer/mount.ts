/** The dev-only viewer page, mounted on the local stack's gateway at /viewer. Never deployed. */
import type { Hono } from "hono";

const page = await Deno.readTextFile(new URL("./index.html", import.meta.url));

/** Serves the page and a config.json telling it where the API and the function are. */
export function viewerRoutes(config: { apiUrl: string; anonKey: string; functionUrl: string }) {
  return (app: Hono) => {
    app.get("/viewer", (c) => c.redirect("/viewer/"));
    app.get("/viewer/", (c) => c.html(page));
    app.get("/viewer/config.json", (c) => c.json(config));
  };
}
