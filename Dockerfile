# Builds the service image: JDK + Go (for the gnark library) + Node (for the contract tests, skipped here).
FROM maven:3.9-eclipse-temurin-25 AS build
ARG GO_VERSION=1.26.8
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev curl ca-certificates \
 && curl -fsSL https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz | tar -C /usr/local -xz
ENV PATH=/usr/local/go/bin:$PATH
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests -pl api -am install

FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 zkml
USER zkml
WORKDIR /app
COPY --from=build /src/api/target/zkml-api.jar /app/zkml-api.jar
# production by default: needs SPRING_DATASOURCE_URL and ZKML_AUTH_BOOTSTRAPADMINKEYSHA256 (docs/operations.md)
ENV ZKML_MODE=production
EXPOSE 8080
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/zkml-api.jar"]
