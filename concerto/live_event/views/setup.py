"""(filled by its part of issue 14)"""

urlpatterns = []
