# The Waymark image: the worker, the event API, the pipeline worker, the warehouse (Python) worker
# and the CLI are the same code, started by different commands (docker-compose.yml). Production
# commands install nothing at start: everything is installed here.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production WAYMARK_ENV=production
# Python 3.11 for the warehouse worker (dbt, the Temporal Python SDK).
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# The worker's packages (dbt-duckdb and dbt-bigquery included), where src/warehouse/python.ts looks for them.
COPY workers/requirements.txt workers/requirements.txt
RUN PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --disable-pip-version-check --target .tools/py/warehouse -r workers/requirements.txt \
  && cp workers/requirements.txt .tools/py/warehouse/.installed-requirements.txt
COPY . .
# A user of its own: the worker never needs root.
RUN useradd --system --uid 10001 waymark && mkdir -p /app/.data && chown waymark /app/.data
USER waymark
CMD ["npm", "run", "worker"]
