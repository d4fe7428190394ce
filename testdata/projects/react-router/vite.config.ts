import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  server: {
    // HMR's port is not the app's.
    hmr: { port: 24678 },
  },
});
