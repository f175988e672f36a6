# The Waymark image: the worker, the event API, the pipeline worker and the CLI are the same code,
# started by different commands (docker-compose.yml). Production commands install nothing at start.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production WAYMARK_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
# A user of its own: the worker never needs root.
RUN useradd --system --uid 10001 waymark && mkdir -p /app/.data && chown waymark /app/.data
USER waymark
CMD ["npm", "run", "worker"]
