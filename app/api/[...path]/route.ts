// Any /api path no route serves — a JSON 404, so API clients never get the HTML not-found page
import { apiMethods, apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors/app-error";

const notFound = apiRoute<{ path: string[] }>({ public: true }, async ({ req }) => {
  throw new AppError("not_found", `There is no API route ${req.method} ${req.nextUrl.pathname}.`);
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = {
  ...apiMethods({ GET: notFound, POST: notFound, PUT: notFound, PATCH: notFound, DELETE: notFound }),
  // No route here, so nothing to list in an Allow header either.
  OPTIONS: notFound,
};
