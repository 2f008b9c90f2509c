from django.contrib import admin

from quizzes.models import Attempt, QuestionTemplate, Topic, Variant


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "position")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(QuestionTemplate)
class QuestionTemplateAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "topic", "family", "difficulty", "is_published")
    list_filter = ("topic", "family", "difficulty", "is_published")
    list_select_related = ("topic",)
    search_fields = ("slug", "title")


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("id", "template", "seed", "difficulty", "created_at")
    list_filter = ("difficulty", "template__family")
    list_select_related = ("template",)
    raw_id_fields = ("template",)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("id", "variant", "user", "is_correct", "misconception", "created_at")
    list_filter = ("is_correct", "misconception")
    list_select_related = ("variant__template", "user")
    raw_id_fields = ("variant", "user")
