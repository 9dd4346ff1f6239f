# The mangshen CLI (and, once it exists, the service), with the OCR models inside the image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 mangshen
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY redaction_rules ./redaction_rules
COPY models ./models
COPY examples ./examples
RUN pip install . && python -c "from service.ocr.rapid import RapidOcrEngine; RapidOcrEngine()"
USER mangshen
WORKDIR /work
ENTRYPOINT ["mangshen"]
CMD ["--help"]
