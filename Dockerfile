# One image, two roles: `api` (the REST API, Swagger, health, metrics) or `worker` (workers only,
# with health and metrics). docker run <image> api | docker run <image> worker
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore as its own layer: it changes only when a project file or a package version does.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt Gateway.sln ./
COPY Gateway.Core/Gateway.Core.csproj Gateway.Core/
COPY Gateway.Hosting/Gateway.Hosting.csproj Gateway.Hosting/
COPY Gateway.Rhai/Gateway.Rhai.csproj Gateway.Rhai/
COPY Gateway.Scripting/Gateway.Scripting.csproj Gateway.Scripting/
COPY Gateway.Workers/Gateway.Workers.csproj Gateway.Workers/
COPY Gateway.Api/Gateway.Api.csproj Gateway.Api/
# ReadyToRun: the assemblies ship precompiled, so a new pod starts serving sooner and spends
# less CPU compiling in its first minute (docs/BENCHMARKS.md, "Warm-up").
RUN dotnet restore Gateway.Api/Gateway.Api.csproj -r linux-x64 -p:PublishReadyToRun=true \
 && dotnet restore Gateway.Workers/Gateway.Workers.csproj -r linux-x64 -p:PublishReadyToRun=true

COPY appsettings.json ./
COPY Gateway.Core/ Gateway.Core/
COPY Gateway.Hosting/ Gateway.Hosting/
COPY Gateway.Rhai/ Gateway.Rhai/
COPY Gateway.Scripting/ Gateway.Scripting/
COPY Gateway.Workers/ Gateway.Workers/
COPY Gateway.Api/ Gateway.Api/
RUN dotnet publish Gateway.Api/Gateway.Api.csproj -c Release -r linux-x64 --self-contained false --no-restore -p:PublishReadyToRun=true -o /out/api \
 && dotnet publish Gateway.Workers/Gateway.Workers.csproj -c Release -r linux-x64 --self-contained false --no-restore -p:PublishReadyToRun=true -o /out/worker

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl serves the HEALTHCHECK only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/api ./api
COPY --from=build /out/worker ./worker
COPY --chmod=0755 deploy/entrypoint.sh ./entrypoint.sh
RUN mkdir -p /app/data && chown app:app /app/data

# DOTNET_GCgen0size: a 32 MB young generation for the workstation collector (the default is a
# few MB here), so a task's short-lived objects die between collections: batches, the queued path
# and submit-and-wait at 10 clients did 6-15 % more tasks/s with less CPU per task (64 clients: no
# change beyond the noise), for about 25 MiB more peak memory (docs/BENCHMARKS.md, "Young generation").
# DOTNET_TC_CallCountingDelayMs=0: the runtime starts counting a method's calls toward its optimized
# recompile at once, instead of waiting until 100 ms pass with no new method compiled (put off again
# and again while a fresh process takes traffic): a fresh Api did about 30 % more tasks in its first 10 s and reached
# its steady rate by 10-20 s, with no steady-state change beyond the noise; it is ready about half a
# second later, as it also optimizes what start-up calls often (docs/BENCHMARKS.md).
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    Gateway__Embedded__DataPath=/app/data \
    DOTNET_GCgen0size=0x2000000 \
    DOTNET_TC_CallCountingDelayMs=0
EXPOSE 8080
USER app
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${ASPNETCORE_HTTP_PORTS}/health/live" || exit 1
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["api"]
