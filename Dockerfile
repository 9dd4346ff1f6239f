# The mangshen service (and CLI), with the OCR models and rules inside the image; runs as a
# non-root user and keeps uploads, outputs and the job store in the /data volume.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 MANGSHEN_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 mangshen \
    && mkdir /data && chown mangshen:mangshen /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY redaction_rules ./redaction_rules
COPY models ./models
COPY examples ./examples
# build the OCR engine once at build time: proves the bundled models load without a network
RUN pip install . && python -c "from service.ocr.rapid import RapidOcrEngine; RapidOcrEngine()"
USER mangshen
VOLUME /data
EXPOSE 8000
ENTRYPOINT ["mangshen"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
