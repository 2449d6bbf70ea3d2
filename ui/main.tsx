/**
 * The dashboard's entry: takes the access token out of the address (`#token=…`) before anything
 * reads the route or calls the API, then renders the app into the shell's `#app`.
 */
import { render } from "preact";
import { App } from "./app.tsx";
import { signInFromAddress } from "./token.ts";

signInFromAddress();
const root = document.getElementById("app");
if (root) render(<App />, root);
