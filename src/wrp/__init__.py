"""wrp — 朝阳区工作居住证服务平台, the Beijing Work Residence Permit platform as Chaoyang District handles it."""

__version__ = "0.1.0"
