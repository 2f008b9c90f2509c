# One image for web and workers. pip resolves torch==2.13.0 from the package index; on x86_64 that
# is the CUDA build, which runs on CPU-only hosts too and is what the gpu worker needs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STRIDE_VAR_DIR=/var/lib/stride

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN mkdir -p /var/lib/stride \
    && SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       CELERY_BROKER_URL=redis://localhost:6379/0 ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
